// Workspace accounts at the boundaries (API bodies, CLI arguments).
import { z } from 'zod';
import { emailSchema } from '../contacts/schema';

export const ROLES = ['admin', 'marketer', 'viewer'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const passwordSchema = z.string().min(12, 'must be at least 12 characters').max(200);

export const newUserSchema = z.strictObject({
  email: emailSchema,
  name: z.string().trim().min(1).max(200).optional(),
  role: roleSchema.default('marketer'),
  /** Absent: one is generated and returned once. */
  password: passwordSchema.optional(),
});
export type NewUser = z.input<typeof newUserSchema>;

export const loginSchema = z.strictObject({
  email: z.string().trim().toLowerCase().min(3).max(320),
  password: z.string().min(1).max(200),
});

/** What the workspace may show about an account (never the hash). */
export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  lastLoginAt: string | null;
  createdAt: string;
}

// The request of a journey simulation (POST /v1/journeys/{key}/simulate), as
// zod: who (a stored contact, or one described), what happens to them later
// (events at offsets from the start), and optionally which definition.
import { z } from 'zod';
import { contactProfileSchema, emailSchema } from '../contacts/schema';
import { eventTypeSchema } from '../events/schema';
import { parseDuration } from '../journeys/duration';
import { safeJson } from '../lib/zod-strings';

/** "0s", "90m", "2d", "1d12h": how long after the start. */
export const offsetSchema = z
  .string()
  .max(40)
  .refine((s) => parseDuration(s) !== null || /^0+[smhdw]?$/.test(s), { message: 'must be an offset such as "0s", "30m", "2d" or "1d12h"' })
  .refine((s) => (parseDuration(s) ?? 0) <= 3660 * 86_400_000, { message: 'must be at most 3660d (ten years)' })
  .meta({ pattern: '^((\\s*\\d+\\s*[smhdw])+\\s*|0+)$' });

export function offsetMs(s: string): number {
  return parseDuration(s) ?? 0;
}

const isoDate = z.iso.datetime({ offset: true });

/** A contact that need not exist: profile fields plus the computed ones conditions read. */
export const describedContactSchema = contactProfileSchema.extend({
  email: emailSchema.optional(),
  tier: z.string().min(1).max(100).nullable().optional(),
  lifetimeSpend: z.number().min(0).max(1e12).optional().describe('In currency units'),
  loyaltyPoints: z.number().int().min(-1e9).max(1e9).optional(),
  purchaseCount: z.number().int().min(0).max(1e9).optional(),
  lastPurchaseAt: isoDate.optional(),
  firstPurchaseAt: isoDate.optional(),
  nextPurchaseDueAt: isoDate.optional(),
  lastClickAt: isoDate.optional(),
  lastOpenAt: isoDate.optional(),
  createdAt: isoDate.optional(),
  newslettersSinceLastClick: z.number().int().min(0).max(1e6).optional(),
  subscriptions: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/), z.enum(['subscribed', 'pending', 'unsubscribed', 'sunset'])).optional(),
});
export type DescribedContact = z.infer<typeof describedContactSchema>;

export const simulatedEventSchema = z.strictObject({
  type: eventTypeSchema,
  properties: safeJson(z.record(z.string(), z.json())).default({}).meta({ default: {} }),
  /** Offset from the start of the run. */
  at: offsetSchema,
});

export const simulateRequestSchema = z
  .strictObject({
    /** Exactly one of: a stored contact by `id` or `email`, or `describe` (a contact that need not exist). */
    contact: z
      .strictObject({ id: z.uuid().optional(), email: emailSchema.optional(), describe: describedContactSchema.optional() })
      .refine((c) => [c.id, c.email, c.describe].filter((v) => v !== undefined).length === 1, {
        message: 'give exactly one of id, email or describe',
      })
      .meta({ oneOf: [{ required: ['id'] }, { required: ['email'] }, { required: ['describe'] }] }),
    /** Events about the contact after the start, at offsets; at most 100. */
    events: z.array(simulatedEventSchema).max(100).default([]),
    /** Properties of the event that starts the run (event triggers). */
    trigger: z.strictObject({ properties: safeJson(z.record(z.string(), z.json())).default({}).meta({ default: {} }) }).optional(),
    /** A definition to simulate instead of the saved draft (e.g. unsaved edits); validated like a draft. */
    definition: z.unknown().optional(),
    /** Simulate this published version instead of the draft. */
    version: z.number().int().min(1).optional(),
    /** When the run starts (ISO); default now. */
    start: isoDate.optional(),
    /** How far ahead to simulate; a run still waiting then is reported as waiting. Default 400d. */
    horizon: offsetSchema.default('400d'),
    /** What webhook steps answer, by step id (the simulation calls nothing outside). Default 200 {}. */
    webhooks: z
      .record(
        z.string(),
        z.strictObject({ status: z.number().int().min(0).max(599), body: safeJson(z.json()).default({}).meta({ default: {} }) }),
      )
      .optional(),
  })
  .refine((b) => b.definition === undefined || b.version === undefined, {
    message: 'give a definition or a version, not both',
    path: ['version'],
  })
  .meta({ not: { required: ['definition', 'version'] } });
export type SimulateRequest = z.infer<typeof simulateRequestSchema>;

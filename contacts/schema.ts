// Contact shapes at the API boundary. zod schemas are the source of the types.
import { z } from 'zod';
import { emailSchema, safeJson, safeString } from '../lib/zod-strings';

/** An email address (lib/zod-strings.ts): contacts, users and test sends take the same rule. */
export { emailSchema } from '../lib/zod-strings';

/** JSON Schema's way of saying "at least one of these properties". */
export const oneOfPresent = (...names: string[]) => ({ anyOf: names.map((n) => ({ required: [n] })) });

// Building an Intl.DateTimeFormat costs ~80 µs, most of a bulk import row's
// validation; names found valid are remembered (bounded: the IANA list is a
// few hundred names, and invalid names are never stored).
const validTimeZones = new Set<string>();
const timeZone = safeString()
  .refine(
    (tz) => {
      if (validTimeZones.has(tz)) return true;
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        validTimeZones.add(tz);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone such as "Europe/Paris"' },
  )
  .meta({ format: 'time-zone' }); // an IANA name (a format the document defines: no pattern can say which names exist)

export const attributesSchema = safeJson(z.record(z.string().min(1).max(100), z.json()));

export const contactProfileSchema = z.object({
  externalId: safeString().trim().min(1).max(200).optional(),
  firstName: safeString().trim().max(200).optional(),
  lastName: safeString().trim().max(200).optional(),
  company: safeString().trim().max(200).optional(),
  phone: safeString()
    .trim()
    .max(50)
    .regex(/^[+0-9 ().-]*$/, 'must contain digits and + ( ) . - only')
    .optional(),
  timeZone: timeZone.optional(),
  locale: safeString().min(2).max(20).optional(),
  currency: safeString()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"')
    .optional(),
  ownerEmail: emailSchema.optional(),
  /** Merged into the stored attributes; a null value removes the key. */
  attributes: attributesSchema.optional(),
  /** Replaces the stored tags. */
  tags: z.array(safeString().trim().min(1).max(100)).max(200).optional(),
  marketingConsent: z.boolean().optional(),
});

export const contactUpsertSchema = contactProfileSchema.extend({ email: emailSchema });
export type ContactUpsert = z.infer<typeof contactUpsertSchema>;
export type ContactProfile = z.infer<typeof contactProfileSchema>;

/** How a caller names a contact: exactly one of id, email, externalId. */
export const contactRefSchema = z
  .object({
    id: z.uuid().optional(),
    email: emailSchema.optional(),
    externalId: safeString().trim().min(1).max(200).optional(),
  })
  .refine((r) => r.id !== undefined || r.email !== undefined || r.externalId !== undefined, {
    message: 'name the contact by id, email or externalId',
  })
  .meta(oneOfPresent('id', 'email', 'externalId'));
export type ContactRef = z.infer<typeof contactRefSchema>;

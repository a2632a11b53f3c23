// Event shapes accepted by POST /v1/events and /webhooks/:source.
import { z } from 'zod';
import { contactProfileSchema, emailSchema, oneOfPresent } from '../contacts/schema';
import { safeJson, safeString } from '../lib/zod-strings';
import { eventTypeSchema } from '../shared/event-type';

export { eventTypeSchema };

/** The contact an event is about. With `email`, an unknown contact is created. */
export const eventContactSchema = contactProfileSchema
  .extend({ id: z.uuid().optional(), email: emailSchema.optional() })
  .refine((c) => c.id !== undefined || c.email !== undefined || c.externalId !== undefined, {
    message: 'name the contact by id, email or externalId',
  })
  .meta(oneOfPresent('id', 'email', 'externalId'));

export const eventInputSchema = z.object({
  /** Idempotency id chosen by the sender; a repeat is acknowledged without effect. */
  id: safeString().trim().min(1).max(200),
  type: eventTypeSchema,
  contact: eventContactSchema,
  // meta: zod leaves a default out of the JSON Schema when the inner schema transforms.
  properties: safeJson(z.record(z.string(), z.json())).default({}).meta({ default: {} }),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
});
export type EventInput = z.infer<typeof eventInputSchema>;

export const eventListSchema = z.object({ events: z.array(eventInputSchema).min(1).max(500) });

/**
 * One event, or { events: [...] }. Chosen by the `events` key rather than by a
 * zod union, so that errors name the field (a union only says "Invalid input").
 */
export const eventBatchSchema = z.unknown().transform((body, ctx): EventInput | z.infer<typeof eventListSchema> => {
  const isList = typeof body === 'object' && body !== null && !Array.isArray(body) && Object.hasOwn(body, 'events');
  const r = (isList ? eventListSchema : eventInputSchema).safeParse(body);
  if (r.success) return r.data;
  for (const i of r.error.issues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
  return z.NEVER;
});

export type { JourneyEvent } from '../shared/signals';

// Request shapes of the template API: a template's body, and what a preview or
// a test send asks for.
import { z } from 'zod';
import { dbInt } from '../lib/zod-numbers';
import { emailSchema, safeJson, safeString } from '../lib/zod-strings';

export const templateKeySchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'must be lower-case letters, digits, _ or - (max 100)');
// Letters of either case, spelled out: a regex flag (/i) would not reach the JSON Schema.
const nameRef = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, 'must be a layout name such as "default"');

export const templateBodySchema = z.strictObject({
  name: safeString().trim().min(1).max(200),
  category: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/, 'must be lower-case, e.g. "newsletter", "journeys" or "transactional"')
    .default('journeys'),
  subject: safeString().min(1).max(1000),
  preheader: safeString().max(1000).nullish(),
  mjml: safeString().min(1).max(1_000_000),
  layout: nameRef.nullish(),
  from: safeString().max(320).nullish(),
  replyTo: safeString().max(320).nullish(),
});
export type TemplateBody = z.infer<typeof templateBodySchema>;

export const templateRenderSchema = z.strictObject({
  /** Render for this contact; without it, for a sample contact. */
  contactId: z.uuid().optional(),
  /** Per-send data ({{data.x}}), as a journey step would pass it. */
  data: safeJson(z.record(z.string(), z.json())).optional(),
  version: dbInt().min(1).optional(),
});
export const templateTestSendSchema = templateRenderSchema.extend({ to: emailSchema });
export const templateVersionQuerySchema = z.object({ version: z.coerce.number().pipe(dbInt().min(1)).optional() });
export type TemplateRenderRequest = z.infer<typeof templateRenderSchema>;
export type TemplateTestSendRequest = z.infer<typeof templateTestSendSchema>;

// The journey definition format (YAML in journeys/definitions, JSON through the
// API). zod is the source of truth; the JSON Schema in journeys/journey.schema.json
// is generated from it (npm run journeys:schema).
import { z } from 'zod';
import { eventTypeSchema } from '../events/schema';
import { parseDuration } from './duration';

const id = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, _ or - (max 63)');

export const durationSchema = z
  .string()
  .refine((s) => parseDuration(s) !== null, { message: 'must be a duration such as "90s", "30m", "12h", "3d", "2w"' });

const stepBase = { id, next: id.optional().describe('Step to go to next; defaults to the following step') };

export const sendEmailStepSchema = z.object({
  ...stepBase,
  type: z.literal('send_email'),
  template: z.string().min(1).describe('Template key: a file templates/<key>.mjml or a template created through the API'),
  subject: z.string().min(1).optional().describe('Overrides the template subject (Handlebars)'),
});

export const waitStepSchema = z.object({
  ...stepBase,
  type: z.literal('wait'),
  duration: durationSchema,
});

export const exitStepSchema = z.object({
  id,
  type: z.literal('exit'),
  reason: z.string().optional(),
});

export const stepSchema = z.discriminatedUnion('type', [sendEmailStepSchema, waitStepSchema, exitStepSchema]);
export type Step = z.infer<typeof stepSchema>;
export type StepType = Step['type'];

export const triggerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event'), event: eventTypeSchema }),
  z.object({ type: z.literal('api') }),
]);

export const journeyDefinitionSchema = z
  .object({
    key: id,
    name: z.string().min(1).max(200),
    description: z.string().optional(),
    trigger: triggerSchema,
    reentry: z.enum(['once', 'always']).default('once'),
    steps: z.array(stepSchema).min(1),
  })
  .superRefine((def, ctx) => {
    const ids = new Map<string, number>();
    def.steps.forEach((s, i) => {
      if (ids.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id "${s.id}"` });
      ids.set(s.id, i);
    });
    def.steps.forEach((s, i) => {
      if ('next' in s && s.next !== undefined && !ids.has(s.next)) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'next'], message: `unknown step "${s.next}"` });
      }
    });
  });

export type JourneyDefinition = z.infer<typeof journeyDefinitionSchema>;

/** The step that follows `index` when it has no explicit `next`. */
export function nextStepId(def: JourneyDefinition, index: number): string | null {
  const s = def.steps[index];
  if (!s || s.type === 'exit') return null;
  if (s.next) return s.next;
  return def.steps[index + 1]?.id ?? null;
}

// The journey definition format (YAML in journeys/definitions, JSON through the
// API). zod is the source of truth; journeys/journey.schema.json is generated
// from it (`npm run journeys:schema`) so editors can complete and check files.
import { z } from 'zod';
import { eventTypeSchema } from '../shared/event-type';
import { dbInt, boundedAmount } from '../lib/zod-numbers';
import { MAX_DURATION_MS, parseDuration } from './duration';

export const stepIdSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, _ or - (max 63)');

export const durationSchema = z
  .string()
  .refine((s) => parseDuration(s) !== null, { message: 'must be a duration such as "90s", "30m", "12h", "3d", "2w"' })
  .refine((s) => (parseDuration(s) ?? 0) <= MAX_DURATION_MS, { message: 'must be at most 36500d (about 100 years)' })
  .describe('A duration: "90s", "30m", "12h", "3d", "2w" or combined like "1d12h"');

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

// ---------------------------------------------------------------- conditions

/** Contact fields a condition may read. `attributes.<name>` reads a free attribute. */
export const CONTACT_FIELDS = [
  'email',
  'firstName',
  'lastName',
  'company',
  'timeZone',
  'locale',
  'currency',
  'tier',
  'tags',
  'lifetimeSpend',
  'loyaltyPoints',
  'purchaseCount',
  'lastPurchaseAt',
  'firstPurchaseAt',
  'nextPurchaseDueAt',
  'newslettersSinceLastClick',
  'newsletterSunsetAt',
  'lastClickAt',
  'lastOpenAt',
  'createdAt',
  'marketingConsent',
  'ownerEmail',
] as const;

export const fieldRefSchema = z
  .string()
  .refine(
    (f) =>
      (CONTACT_FIELDS as readonly string[]).includes(f) ||
      /^attributes\.[A-Za-z0-9_-]+$/.test(f) ||
      /^steps\.[a-z][a-z0-9_-]*\.[A-Za-z0-9_.-]+$/.test(f),
    {
      message: `must be a contact field (${CONTACT_FIELDS.join(', ')}), "attributes.<name>" or "steps.<stepId>.<path>"`,
    },
  )
  .describe('A contact field, "attributes.<name>", or "steps.<webhookStepId>.status|body.<path>"');

export const opSchema = z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists', 'not_exists']);

/** A property filter on events: every listed property must equal the value (or be one of a list). */
export const propertyFilterSchema = z
  .record(z.string(), z.union([scalar, z.array(scalar)]))
  .describe('Event property filter: { "path": "/pricing" } or { "sku": ["a", "b"] }');

/**
 * An aggregate over the matching events: the sum of a numeric property (events
 * without a number there add nothing), e.g. { property: amount, gt: 500 }.
 * With `sum` and no `count`, only the sum is tested.
 */
export interface EventSum {
  property: string;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
}
export const eventSumSchema = z
  .strictObject({
    property: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be a property name or dotted path'),
    gt: boundedAmount().optional(),
    gte: boundedAmount().optional(),
    lt: boundedAmount().optional(),
    lte: boundedAmount().optional(),
    eq: boundedAmount().optional(),
  })
  .describe('Sum of a numeric event property over the matching events, compared: { property: amount, gt: 500 }');

export type Condition =
  | { field: string; op: z.infer<typeof opSchema>; value?: z.infer<typeof scalar> | z.infer<typeof scalar>[] }
  | { event: string; where?: Record<string, unknown>; within?: string; count?: { gte?: number; lte?: number; eq?: number }; sum?: EventSum }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({
      field: fieldRefSchema,
      op: opSchema,
      value: z.union([scalar, z.array(scalar)]).optional(),
    }),
    z.strictObject({
      event: eventTypeSchema,
      where: propertyFilterSchema.optional(),
      within: durationSchema.optional(),
      count: z.strictObject({ gte: dbInt().min(0).optional(), lte: dbInt().min(0).optional(), eq: dbInt().min(0).optional() }).optional(),
      sum: eventSumSchema.optional(),
    }),
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
  ]),
);

// --------------------------------------------------------------------- steps

const base = {
  id: stepIdSchema,
  next: stepIdSchema.optional().describe('Step to go to next; defaults to the following step'),
  description: z.string().optional(),
};

export const sendEmailStepSchema = z.strictObject({
  ...base,
  type: z.literal('send_email'),
  template: z.string().min(1).describe('Template key: templates/<key>.mjml or a template created through the API'),
  subject: z.string().min(1).optional().describe('Overrides the template subject (Handlebars)'),
  data: z
    .record(z.string(), z.json())
    .optional()
    .describe('Extra template data as {{data.<name>}}; results of earlier steps are {{data.steps.<stepId>.body.<field>}}'),
});

export const waitStepSchema = z.strictObject({
  ...base,
  type: z.literal('wait'),
  duration: durationSchema,
});

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');

export const waitWindowStepSchema = z.strictObject({
  ...base,
  type: z.literal('wait_until_window'),
  days: z.array(weekday).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
  start: clock.describe('Window start, contact local time'),
  end: clock.describe('Window end, contact local time'),
});

export const waitForEventStepSchema = z.strictObject({
  id: stepIdSchema,
  description: z.string().optional(),
  type: z.literal('wait_for_event'),
  event: eventTypeSchema,
  where: propertyFilterSchema.optional(),
  timeout: durationSchema,
  onEvent: stepIdSchema.nullable().describe('Step after the event arrives (null ends the run)'),
  onTimeout: stepIdSchema.nullable().describe('Step after the timeout (null ends the run)'),
});

export const branchStepSchema = z.strictObject({
  id: stepIdSchema,
  description: z.string().optional(),
  type: z.literal('branch'),
  cases: z.array(z.strictObject({ when: conditionSchema, next: stepIdSchema.nullable(), label: z.string().optional() })).min(1),
  otherwise: stepIdSchema.nullable(),
});

export const splitStepSchema = z.strictObject({
  id: stepIdSchema,
  description: z.string().optional(),
  type: z.literal('split'),
  variants: z
    .array(z.strictObject({ name: z.string().min(1), percent: z.number().int().min(0).max(100), next: stepIdSchema.nullable() }))
    .min(2)
    .refine((v) => v.reduce((a, b) => a + b.percent, 0) === 100, { message: 'variant percentages must add up to 100' }),
});

export const updateContactStepSchema = z.strictObject({
  ...base,
  type: z.literal('update_contact'),
  set: z.record(z.string().min(1), z.json()).optional().describe('Attributes to set'),
  unset: z.array(z.string().min(1)).optional().describe('Attributes to remove'),
  addTags: z.array(z.string().min(1)).optional(),
  removeTags: z.array(z.string().min(1)).optional(),
  addPoints: dbInt().optional().describe('Loyalty points to add (negative to take away)'),
  setTier: z.string().min(1).nullable().optional(),
  subscriptions: z
    .record(z.string().regex(/^[a-z][a-z0-9_-]*$/), z.enum(['subscribed', 'unsubscribed', 'sunset']))
    .optional()
    .describe('Subscription states to set, e.g. { newsletter: sunset } (kept, never mailed that category again)'),
});

export const issueCouponStepSchema = z.strictObject({
  ...base,
  type: z.literal('issue_coupon'),
  value: z.number().positive().describe("Value in the contact's currency units, e.g. 25 for $25"),
  prefix: z
    .string()
    .regex(/^[A-Z0-9]{1,12}$/, 'must be 1-12 upper-case letters or digits')
    .default('RAP'),
  reason: z.string().min(1).describe('Why it was issued (shown on the coupon record)'),
  expiresIn: durationSchema.optional(),
});

export const createTaskStepSchema = z.strictObject({
  ...base,
  type: z.literal('create_task'),
  owner: z.string().min(1).describe('Email of the owner, or "contact.owner" for the contact\'s owning rep'),
  fallbackOwner: z.email().optional().describe('Used when the contact has no owner'),
  due: durationSchema.describe('Due this long after the step runs'),
  reason: z.string().min(1).describe('Why (Handlebars over the contact, e.g. "Visited {{event.properties.path}}")'),
  notify: z.boolean().default(true).describe('Email the owner about the task'),
});

export const approvalStepSchema = z.strictObject({
  id: stepIdSchema,
  description: z.string().optional(),
  type: z.literal('approval'),
  approver: z.email().describe('Who decides'),
  subject: z.string().min(1).describe('What is to be approved'),
  deadline: durationSchema,
  onApprove: stepIdSchema.nullable(),
  onReject: stepIdSchema.nullable(),
  onTimeout: z.enum(['approve', 'reject']).default('reject').describe('What the deadline passing means'),
});

export const webhookStepSchema = z.strictObject({
  ...base,
  type: z.literal('webhook'),
  url: z.url().describe('Called with POST and a JSON body; signed with OUTGOING_WEBHOOK_SECRET'),
  body: z.record(z.string(), z.json()).optional().describe('Extra JSON fields sent with the contact id and run'),
  timeout: durationSchema.default('10s'),
  maxAttempts: z.number().int().min(1).max(20).default(5),
});

export const enrolStepSchema = z.strictObject({
  ...base,
  type: z.literal('enrol'),
  journey: stepIdSchema.describe('Key of the journey to enrol the contact in'),
});

export const exitStepSchema = z.strictObject({
  id: stepIdSchema,
  description: z.string().optional(),
  type: z.literal('exit'),
  reason: z.string().optional(),
  outcome: z.enum(['completed', 'converted', 'exited']).default('exited'),
});

export const stepSchema = z.discriminatedUnion('type', [
  sendEmailStepSchema,
  waitStepSchema,
  waitWindowStepSchema,
  waitForEventStepSchema,
  branchStepSchema,
  splitStepSchema,
  updateContactStepSchema,
  issueCouponStepSchema,
  createTaskStepSchema,
  approvalStepSchema,
  webhookStepSchema,
  enrolStepSchema,
  exitStepSchema,
]);
export type Step = z.infer<typeof stepSchema>;
export type StepType = Step['type'];
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;

export { WAITING_STEPS } from './step-kinds';

// ------------------------------------------------------------------ triggers

export const triggerSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('event'),
    event: z.union([eventTypeSchema, z.array(eventTypeSchema).min(1)]).describe('An event type, or a list: any of them'),
    where: propertyFilterSchema.optional(),
    key: z
      .string()
      .regex(/^properties\.[A-Za-z0-9_.-]+$/)
      .optional()
      .describe('Event property that keys runs, e.g. "properties.orderId": one run per contact per key'),
  }),
  z.strictObject({
    type: z.literal('condition'),
    when: conditionSchema.describe('Evaluated as each event about the contact is recorded; the run starts when it holds'),
  }),
  z.strictObject({
    type: z.literal('attribute_changed'),
    attribute: z.string().regex(/^[A-Za-z0-9_-]+$/),
    to: scalar.optional().describe('Only when it changes to this value'),
  }),
  z.strictObject({
    type: z.literal('date'),
    field: z.union([
      z.enum(['lastPurchaseAt', 'nextPurchaseDueAt', 'createdAt', 'lastClickAt', 'lastOpenAt']),
      z.string().regex(/^attributes\.[A-Za-z0-9_-]+$/),
    ]),
    offset: z
      .string()
      .regex(/^-?(\d+[smhdw])+$/, 'must be a duration such as "30d", or "-1d" for before')
      .default('0d'),
    annual: z.boolean().default(false).describe('Every year on the date (birthdays)'),
  }),
  z.strictObject({ type: z.literal('api') }),
]);
export type Trigger = z.infer<typeof triggerSchema>;

// ------------------------------------------------------------------- journey

export const reentrySchema = z
  .union([z.enum(['once', 'always']), z.strictObject({ cooldown: durationSchema })])
  .describe(
    'once: never again; always: whenever triggered again after the run ended; cooldown: after this long since the last run started',
  );

export const goalSchema = z.strictObject({
  event: eventTypeSchema,
  where: propertyFilterSchema.optional(),
  outcome: z.enum(['converted', 'exited']).default('converted'),
  next: stepIdSchema.optional().describe('Instead of ending the run, jump to this step (e.g. create a sales task, then exit)'),
});

export const journeyDefinitionSchema = z
  .strictObject({
    $schema: z.string().optional(),
    key: stepIdSchema,
    name: z.string().min(1).max(200),
    description: z.string().optional(),
    category: z
      .string()
      .regex(/^[a-z][a-z0-9_-]*$/)
      .default('journeys')
      .describe('Subscription category of its emails'),
    trigger: triggerSchema,
    reentry: reentrySchema.default('once'),
    goals: z.array(goalSchema).default([]).describe('Events that end a run at any step (e.g. a purchase: converted)'),
    steps: z.array(stepSchema).min(1),
  })
  .superRefine((def, ctx) => {
    const ids = new Map<string, number>();
    def.steps.forEach((s, i) => {
      if (ids.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id "${s.id}"` });
      ids.set(s.id, i);
    });
    def.goals.forEach((g, i) => {
      if (g.next !== undefined && !ids.has(g.next)) {
        ctx.addIssue({ code: 'custom', path: ['goals', i, 'next'], message: `unknown step "${g.next}"` });
      }
    });
    def.steps.forEach((s, i) => {
      for (const [path, target] of stepTargets(s)) {
        if (target !== null && !ids.has(target)) {
          ctx.addIssue({ code: 'custom', path: ['steps', i, ...path], message: `unknown step "${target}"` });
        }
      }
    });
  });

export type JourneyDefinition = z.infer<typeof journeyDefinitionSchema>;
export type JourneyDefinitionInput = z.input<typeof journeyDefinitionSchema>;

/** Every explicit step reference a step makes, with its path inside the step. */
export function stepTargets(s: Step): [(string | number)[], string | null][] {
  switch (s.type) {
    case 'branch':
      return [...s.cases.map((c, i): [(string | number)[], string | null] => [['cases', i, 'next'], c.next]), [['otherwise'], s.otherwise]];
    case 'split':
      return s.variants.map((v, i) => [['variants', i, 'next'], v.next]);
    case 'wait_for_event':
      return [
        [['onEvent'], s.onEvent],
        [['onTimeout'], s.onTimeout],
      ];
    case 'approval':
      return [
        [['onApprove'], s.onApprove],
        [['onReject'], s.onReject],
      ];
    case 'exit':
      return [];
    default:
      return s.next ? [[['next'], s.next]] : [];
  }
}

/** The step that follows step `index` when it completes without choosing. */
export function nextStepId(def: JourneyDefinition, index: number): string | null {
  const s = def.steps[index];
  if (!s || s.type === 'exit') return null;
  if ('next' in s && s.next) return s.next;
  return def.steps[index + 1]?.id ?? null;
}

/** All steps a step may lead to (for graph checks). */
export function successors(def: JourneyDefinition, index: number): string[] {
  const s = def.steps[index]!;
  if (s.type === 'branch' || s.type === 'split' || s.type === 'wait_for_event' || s.type === 'approval') {
    return stepTargets(s)
      .map(([, t]) => t)
      .filter((t): t is string => t !== null);
  }
  const n = nextStepId(def, index);
  return n ? [n] : [];
}

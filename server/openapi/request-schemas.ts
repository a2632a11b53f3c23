// The zod schemas the server validates requests with, by the OpenAPI component
// name they are documented under. These are the schemas themselves (imported
// from the domain and the routes), so the document cannot drift from them.
import type { z } from 'zod';
import { approvalDecisionSchema } from '../../approvals/decide';
import { contactProfileSchema, contactRefSchema, contactUpsertSchema } from '../../contacts/schema';
import { eventContactSchema, eventInputSchema, eventListSchema, eventTypeSchema } from '../../events/schema';
import {
  conditionSchema,
  durationSchema,
  journeyDefinitionSchema,
  propertyFilterSchema,
  stepIdSchema,
  stepSchema,
  triggerSchema,
} from '../../journeys/schema';
import { enrolBodySchema } from '../../events/use-cases/request-enrolment';
import { newsletterBodySchema } from '../../newsletters/broadcasts';
import { segmentBodySchema } from '../../segments/service';
import { newsletterSubscriptionSchema } from '../../newsletters/use-cases/subscribe';
import { templateBodySchema, templateRenderSchema, templateTestSendSchema } from '../../email/template-schema';
import { simulateRequestSchema } from '../../simulator/schema';

/** Component names of the step and trigger types (the discriminated unions' options). */
const STEP_NAMES: Record<string, string> = {
  send_email: 'StepSendEmail',
  wait: 'StepWait',
  wait_until_window: 'StepWaitUntilWindow',
  wait_for_event: 'StepWaitForEvent',
  branch: 'StepBranch',
  split: 'StepSplit',
  update_contact: 'StepUpdateContact',
  issue_coupon: 'StepIssueCoupon',
  create_task: 'StepCreateTask',
  approval: 'StepApproval',
  webhook: 'StepWebhook',
  enrol: 'StepEnrol',
  exit: 'StepExit',
};
const TRIGGER_NAMES: Record<string, string> = {
  event: 'JourneyTriggerEvent',
  condition: 'JourneyTriggerCondition',
  attribute_changed: 'JourneyTriggerAttributeChanged',
  date: 'JourneyTriggerDate',
  api: 'JourneyTriggerApi',
};

function optionsByName(options: readonly z.ZodObject[], names: Record<string, string>, what: string): Record<string, z.ZodType> {
  return Object.fromEntries(
    options.map((o) => {
      const type = (o.shape.type as z.ZodLiteral<string>).value;
      const name = names[type];
      // A new step or trigger type needs its component name here (and its prose in request-docs.ts).
      if (!name) throw new Error(`${what} type "${type}" has no OpenAPI component name`);
      return [name, o];
    }),
  );
}

export const requestSchemas = {
  ContactProfile: contactProfileSchema,
  ContactUpsert: contactUpsertSchema,
  ContactRef: contactRefSchema,
  EventContact: eventContactSchema,
  EventInput: eventInputSchema,
  EventBatch: eventListSchema,
  EventPropertyFilter: propertyFilterSchema,
  JourneyDefinition: journeyDefinitionSchema,
  JourneyTrigger: triggerSchema,
  JourneyStep: stepSchema,
  JourneyCondition: conditionSchema,
  JourneyStepId: stepIdSchema,
  JourneyDuration: durationSchema,
  // A copy: where events and triggers use the type, it stays inline (its pattern in view).
  JourneyEventType: eventTypeSchema.clone(),
  EnrolRequest: enrolBodySchema,
  ApprovalDecision: approvalDecisionSchema,
  TemplateBody: templateBodySchema,
  TemplateRenderRequest: templateRenderSchema,
  TemplateTestSendRequest: templateTestSendSchema,
  NewsletterSubscriptionRequest: newsletterSubscriptionSchema,
  SegmentBody: segmentBodySchema,
  NewsletterRequest: newsletterBodySchema,
  SimulateRequest: simulateRequestSchema,
} satisfies Record<string, z.ZodType>;

/** The step and trigger types, each its own component (JourneyStep and JourneyTrigger are unions of them). */
export const unionOptionSchemas: Record<string, z.ZodType> = {
  ...optionsByName(stepSchema.options, STEP_NAMES, 'step'),
  ...optionsByName(triggerSchema.options, TRIGGER_NAMES, 'trigger'),
};

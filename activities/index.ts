// All activities, bound to their dependencies. The worker registers this object.
import { createApprovalActivities } from './approvals';
import { createBroadcastActivities } from './broadcast';
import { createConditionActivities } from './conditions';
import { createContactActivities } from './contacts';
import { createCouponActivities } from './coupons';
import type { ActivityDeps } from './deps';
import { createEnrolActivities } from './enrol';
import { createJourneyActivities } from './journeys';
import { createSendEmail } from './send-email';
import { createTaskActivities } from './tasks';
import { createWebhookActivities } from './webhooks';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createJourneyActivities(deps),
    ...createConditionActivities(deps),
    ...createContactActivities(deps),
    ...createCouponActivities(deps),
    ...createTaskActivities(deps),
    ...createApprovalActivities(deps),
    ...createBroadcastActivities(deps),
    ...createWebhookActivities(deps),
    ...createEnrolActivities(deps),
    sendEmail: createSendEmail(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps };

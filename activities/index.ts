// All activities, bound to their dependencies. The worker registers this object.
import type { ActivityDeps } from './deps';
import { createJourneyActivities } from './journeys';
import { createSendEmail } from './send-email';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createJourneyActivities(deps),
    sendEmail: createSendEmail(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps };

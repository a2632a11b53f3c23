// Enrolment in another journey goes through the event outbox (durable, deduplicated).
import { recordSystemEvent } from '../contacts/system-events';
import { SYSTEM_EVENTS } from '../shared/system-events';
import type { ActivityDeps } from './deps';

export function createEnrolActivities({ db, onEventsStored }: ActivityDeps) {
  return {
    async enrolContact(input: { contactId: string; journey: string; requestId: string }): Promise<void> {
      const created = await db.$transaction((tx) =>
        recordSystemEvent(tx, {
          contactId: input.contactId,
          type: SYSTEM_EVENTS.enrolRequested,
          key: `enrol:${input.requestId}`,
          properties: { journey: input.journey },
        }),
      );
      if (created) onEventsStored?.();
    },
  };
}

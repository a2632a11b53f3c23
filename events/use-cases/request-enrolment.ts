// Enrols a contact in a journey on request: stored as a system event, which
// the dispatcher turns into a run (so it lives with events, which already
// depend on journeys and contacts). Refuses now, with a reason, what the
// dispatcher would otherwise drop silently (paused journey, a run in progress,
// re-entry not allowed).
import { z } from 'zod';
import { contactRefSchema } from '../../contacts/schema';
import { findContact } from '../../contacts/service';
import { recordSystemEvent } from '../../contacts/system-events';
import { ConflictError, NotFoundError } from '../../lib/errors';
import { safeString } from '../../lib/zod-strings';
import { SYSTEM_EVENTS } from '../../shared/system-events';
import { journeyWorkflowId } from '../../journeys/ids';
import { reentryAllowed } from '../../journeys/reentry';
import { journeyVersion } from '../../journeys/store';
import type { JourneyUseCaseDeps } from '../../journeys/use-cases/deps';
import { loadJourney } from '../../journeys/use-cases/load';

/** The body of POST /v1/journeys/:key/enrol. */
export const enrolBodySchema = z.object({
  contact: contactRefSchema,
  /** Idempotency id: a repeat with the same id enrols once. */
  requestId: safeString().min(1).max(200).optional(),
});
export type EnrolBody = z.infer<typeof enrolBodySchema>;

export async function enrolContact(deps: JourneyUseCaseDeps, key: string, body: EnrolBody) {
  const { db } = deps;
  const j = await loadJourney(db, key);
  if (j.versions.length === 0) throw new ConflictError('not_published', `journey "${j.key}" has no published version`);
  const contact = await findContact(db, body.contact);
  if (!contact) throw new NotFoundError('contact_not_found', 'no such contact', [{ path: 'contact', message: 'no such contact' }]);
  if (j.status !== 'active') throw new ConflictError('journey_paused', `journey "${j.key}" is ${j.status}; resume it first`);
  const previous = await db.journeyRun.findUnique({ where: { workflowId: journeyWorkflowId(j.key, contact.id) } });
  if (previous?.status === 'running') throw new ConflictError('already_running', 'this contact is in this journey now');
  const latest = await journeyVersion(db, j.key, j.versions[0]!.version);
  if (previous && latest && !reentryAllowed(latest.reentry, previous.startedAt)) {
    throw new ConflictError(
      'reentry_not_allowed',
      `this contact was in this journey before and its re-entry policy does not allow another run`,
    );
  }
  const requestId = body.requestId ?? `${Date.now()}:${Math.random().toString(36).slice(2)}`;
  const created = await db.$transaction((tx) =>
    recordSystemEvent(tx, {
      contactId: contact.id,
      type: SYSTEM_EVENTS.enrolRequested,
      key: `api-enrol:${j.key}:${requestId}`,
      properties: { journey: j.key },
    }),
  );
  deps.onEventsStored?.();
  return { journey: j.key, contactId: contact.id, duplicate: !created, workflowId: journeyWorkflowId(j.key, contact.id) };
}

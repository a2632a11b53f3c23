// Re-entry: whether a contact who ran a journey before may start it again.
// One rule for the dispatcher (triggered starts) and explicit enrolment.
import { durationMs } from './duration';
import type { JourneyDefinition } from './schema';

/** Whether a contact whose last run of a journey started at `lastStart` may enter it again. */
export function reentryAllowed(policy: JourneyDefinition['reentry'], lastStart: Date, now = new Date()): boolean {
  if (policy === 'once') return false;
  if (policy === 'always') return true;
  return now.getTime() - lastStart.getTime() >= durationMs(policy.cooldown);
}

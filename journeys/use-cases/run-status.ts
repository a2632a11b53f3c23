// One contact's run of a journey: its row, and while it runs, what the
// workflow itself says (current step, next wake-up).
import { NotFoundError } from '../../lib/errors';
import { statusQuery, type JourneyStatus } from '../../shared/signals';
import { journeyWorkflowId } from '../ids';
import type { JourneyUseCaseDeps } from './deps';

/** How long the run's own account (the workflow query) is waited for. */
export const LIVE_QUERY_TIMEOUT_MS = 2000;

/** `runKey`: keyed journeys (one run per order, say) name the run with the key value. */
export async function runStatus(deps: JourneyUseCaseDeps, key: string, contactId: string, runKey: string | null) {
  const workflowId = journeyWorkflowId(key, contactId, runKey);
  const run = await deps.db.journeyRun.findUnique({ where: { workflowId } });
  if (!run) throw new NotFoundError('run_not_found', 'this contact has no run of this journey');
  let live: JourneyStatus | null = null;
  if (run.status === 'running' && deps.temporal) {
    // A query waits for a worker to answer it: with none running (a deploy, an outage) it would
    // hang the request (schemathesis saw 30 s). The row alone answers after a short wait.
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), LIVE_QUERY_TIMEOUT_MS)));
    live = await Promise.race([
      deps.temporal.workflow
        .getHandle(workflowId)
        .query(statusQuery)
        .catch(() => null),
      gaveUp,
    ]).finally(() => clearTimeout(timer));
  }
  return { run, live };
}

// Pauses or resumes a journey. Resuming also wakes the runs it held.
import { resumeSignal } from '../../shared/signals';
import type { JourneyUseCaseDeps } from './deps';
import { loadJourney } from './load';

export async function setJourneyStatus(deps: JourneyUseCaseDeps, key: string, action: 'pause' | 'resume') {
  const j = await loadJourney(deps.db, key);
  const status = action === 'pause' ? 'paused' : 'active';
  await deps.db.journeyDefinition.update({ where: { id: j.id }, data: { status } });
  let signalled = 0;
  if (action === 'resume' && deps.temporal) {
    // Best effort: held runs also re-check by themselves within 15 minutes.
    const runs = await deps.db.journeyRun.findMany({ where: { journeyKey: j.key, status: 'running' }, select: { workflowId: true } });
    for (const run of runs) {
      await deps.temporal.workflow
        .getHandle(run.workflowId)
        .signal(resumeSignal)
        .then(
          () => signalled++,
          () => undefined,
        );
    }
  }
  return { key: j.key, status, signalled };
}

// The baseline of the volume benchmark: the smallest useful workflow, one
// activity and done. What a Temporal server and worker manage per second with
// it bounds what any journey run can do on the same server.
import { proxyActivities } from '@temporalio/workflow';

const { touch } = proxyActivities<{ touch(n: number): Promise<void> }>({ startToCloseTimeout: '30 seconds' });

export async function trivialWorkflow(n: number): Promise<void> {
  await touch(n);
}

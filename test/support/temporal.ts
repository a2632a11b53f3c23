// Temporal helpers for tests: the time-skipping test server (installed by
// scripts/setup.mjs, never downloaded) and a workflow bundle built once per file.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { testServerPath } from '../../stack/tools';
import { WORKFLOWS_PATH } from '../../worker/worker';

/**
 * The SDK gives the test server 5 s to answer; a JVM on a busy machine can
 * miss that, so a start that timed out is tried again (a real failure, such
 * as a missing Java, fails every try and is reported).
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: testServerPath() } },
      });
    } catch (err) {
      if (attempt >= 3 || !/did not start within/.test((err as Error).message)) throw err;
    }
  }
}

let bundle: Promise<WorkflowBundleWithSourceMap> | null = null;
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} },
  });
  return bundle;
}

// Keep the Temporal SDK's own logs out of test output unless they matter.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger((process.env.TEST_TEMPORAL_LOG_LEVEL as 'WARN' | undefined) ?? 'ERROR') });
} catch {
  // already installed in this process
}

// Starts the real servers the suite shares, once per run: PostgreSQL (embedded,
// fresh data directory) and a Temporal dev server (in memory). Tests create
// their own databases and task queues on them. DATABASE_URL / TEMPORAL_ADDRESS
// in the environment replace the embedded ones.
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../stack/net';
import { removeEmbeddedData, startEmbeddedPostgres } from '../../stack/postgres';
import { startTemporalDevServer } from '../../stack/temporal';
import { ROOT } from '../../stack/tools';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    temporalAddress: string;
  }
}

export default async function setup(project: TestProject) {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    let pgAdminUrl = process.env.TEST_DATABASE_ADMIN_URL;
    if (!pgAdminUrl) {
      // A fresh data directory per run, so concurrent runs never share one. As root in a
      // private clone it is relocated (the link at `dir` points to it): both are removed.
      const dir = join(ROOT, '.test-data', `postgres-${process.pid}-${Date.now()}`);
      const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() });
      stops.push(async () => {
        await pg.stop();
        removeEmbeddedData(dir);
      });
      pgAdminUrl = pg.url('postgres');
    }
    let temporalAddress = process.env.TEST_TEMPORAL_ADDRESS;
    if (!temporalAddress) {
      const t = await startTemporalDevServer({ dbFile: null, port: await freePort(), uiPort: null });
      stops.push(() => t.stop());
      temporalAddress = t.address;
    }
    project.provide('pgAdminUrl', pgAdminUrl);
    project.provide('temporalAddress', temporalAddress);
  } catch (err) {
    // What started is stopped; the message says what failed and what to do (no stack).
    await stopAll();
    const e = new Error(`\nThe test suite's servers could not start.\n${(err as Error).message}\n`);
    e.stack = e.message;
    throw e;
  }
  return stopAll;
}

// Replays recorded histories (test/histories/*.history.pb, binary protobuf) through today's workflow
// code. A change to the interpreter that would break runs in flight (a
// non-deterministic change) fails here. Refresh the recordings deliberately,
// with a migration plan for running journeys, by running:
//   RECORD_HISTORIES=1 npx vitest run test/workflows/interpreter.test.ts test/newsletters/broadcast.test.ts
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../support/temporal';

const dir = resolve(import.meta.dirname, '../histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.history.pb'));

describe('replay of recorded histories', () => {
  it('has recordings to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`replays ${file} without non-determinism`, async () => {
      const history = temporal.api.history.v1.History.decode(readFileSync(resolve(dir, file)));
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file.replace(/\.history\.pb$/, ''));
    });
  }
});

// Recording of workflow histories for the replay test (test/workflows/replay.test.ts).
// Only with RECORD_HISTORIES=1; binary protobuf, because this install has two
// protobufjs copies, which breaks the SDK's JSON conversion.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export async function recordHistory(client: Client, name: string, workflowId: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(
    resolve(import.meta.dirname, '../histories', `${name}.history.pb`),
    temporal.api.history.v1.History.encode(history).finish(),
  );
}

// Where the helper programs built by scripts/setup.mjs live.
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const TOOLS_DIR = join(ROOT, '.tools');

function onPath(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

export function temporalCliPath(): string {
  const candidates = [process.env.TEMPORAL_CLI, join(TOOLS_DIR, 'bin', 'temporal'), onPath('temporal')];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) {
    throw new Error('No Temporal CLI found: run `node scripts/setup.mjs` (npm start does), put `temporal` on PATH, or set TEMPORAL_CLI.');
  }
  return found;
}

export function testServerPath(): string {
  const p = join(TOOLS_DIR, 'test-server', 'temporal-test-server');
  if (!existsSync(p))
    throw new Error('The Temporal time-skipping test server is missing: run `node scripts/setup.mjs test` (npm test does).');
  return p;
}

// `npm run worker` must start with the same heap options as the processes
// stack/role-process.ts starts (config/worker-heap.ts): package.json cannot
// import the constant, so this keeps the two from drifting apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setsHeap, WORKER_NODE_FLAGS } from '../../config/worker-heap';
import { ROOT } from '../../stack/tools';

describe('worker heap options', () => {
  it('npm run worker passes exactly the flags config/worker-heap.ts names', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const args = pkg.scripts.worker!.split(' ');
    expect(args.filter((a) => setsHeap([a]))).toEqual([...WORKER_NODE_FLAGS]);
  });

  it('leaves a heap the caller set alone', () => {
    expect(setsHeap(['--max-old-space-size=2048'])).toBe(true);
    expect(setsHeap(['--inspect', '--enable-source-maps'])).toBe(false);
  });
});

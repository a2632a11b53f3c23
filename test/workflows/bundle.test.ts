// The workflow bundle carries only what workflows need. Every cached run
// evaluates the bundle's modules for itself, so a library pulled in by a value
// import (zod through a schema file, say) costs memory and CPU per run in flight.
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../support/temporal';

/** Module paths as webpack names them in the bundle ("./node_modules/zod/...", "./journeys/match.ts"). */
function bundledModules(code: string): string[] {
  return [...code.matchAll(/^\/\*\*\*\/ "(\.\/[^"]+)"/gm)].map((m) => m[1]!);
}

const ALLOWED_PACKAGES = ['@temporalio/', 'nexus-rpc/', 'ms/', 'long/'];
const ALLOWED_OWN = [
  /^\.\/workflows\//,
  /^\.\/shared\//,
  /^\.\/journeys\/(duration|match|step-kinds)\.ts$/,
  /^\.\/newsletters\/broadcast-contract\.ts$/,
];

describe('workflow bundle', () => {
  it('holds the SDK and our workflow code only', async () => {
    const modules = bundledModules((await workflowBundle()).code);
    expect(modules.length).toBeGreaterThan(10);
    const unexpected = modules.filter((m) => {
      if (m.startsWith('./node_modules/')) return !ALLOWED_PACKAGES.some((p) => m.startsWith(`./node_modules/${p}`));
      return !ALLOWED_OWN.some((r) => r.test(m));
    });
    expect(unexpected).toEqual([]);
  });
});

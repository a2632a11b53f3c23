import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../worker/worker';
const b = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } });
console.log('bundle bytes', b.code.length);
const m = b.code.match(/^\/\/ [^\n]+$/gm) ?? [];
const by = new Map<string, number>();
for (const x of m) { const k = x.replace(/.*node_modules\//,'nm:').split('/').slice(0,2).join('/'); by.set(k,(by.get(k)??0)+1); }
console.log([...by.entries()].sort((a,b)=>b[1]-a[1]).slice(0,25));
import { writeFileSync } from 'node:fs';
writeFileSync('/tmp/bundle.js', b.code);

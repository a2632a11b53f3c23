// The V8 heap every worker process starts with (`npm run worker`, `npm start`,
// the benchmarks). Why: without a limit V8 sizes each thread's heap from the
// machine's memory and collects late, so a busy worker's resident set climbs
// past 1 GB while what it holds stays a few hundred MB (bench:volume -- enrol).
// The limit applies to every isolate of the process, the workflow thread's
// included; the young generation is set back to V8's default size, which a
// smaller old space would otherwise shrink (4 MB at 512 MB: four times the
// scavenges, the slowdown a bare --max-old-space-size costs).
//
// 512 MB holds the default sticky cache (WORKER_MAX_CACHED_WORKFLOWS=1000;
// bench:volume -- waiting kept it within the limit with 100,000 runs waiting);
// a larger cache needs a larger heap (node --max-old-space-size=N ... worker).
// A thread that reaches the limit stops the worker in order (exit 70), never
// aborts it.
export const WORKER_HEAP_MB = 512;
export const WORKER_NODE_FLAGS: readonly string[] = [`--max-old-space-size=${WORKER_HEAP_MB}`, '--max-semi-space-size=16'];

/** Whether node options already set the heap (an operator's own choice wins over the default). */
export function setsHeap(args: readonly string[]): boolean {
  return args.some((a) => a.startsWith('--max-old-space-size') || a.startsWith('--max-semi-space-size'));
}

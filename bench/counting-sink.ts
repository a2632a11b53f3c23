// The counting SMTP sink (bench/support/counting-sink.ts) as its own process,
// for bench/newsletter.ts, so that it does not share the sender's event loop.
// Tells the parent its port over IPC and answers { type: 'count' } with
// { type: 'count', n, bytes }.
import { startCountingSink } from './support/counting-sink';

const sink = await startCountingSink({ maxClients: Number(process.argv[2] ?? 8) });
process.send?.({ type: 'port', port: sink.port });
process.on('message', (m: { type?: string }) => {
  if (m.type === 'count') process.send?.({ type: 'count', n: sink.count(), bytes: sink.bytes() });
  if (m.type === 'stop') void sink.close().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));

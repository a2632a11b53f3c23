// A counting SMTP sink for bench/newsletter.ts, run as its own process (so it
// does not share the sender's event loop): accepts every message, counts it
// and throws it away. Tells the parent its port over IPC and answers
// { type: 'count' } with { type: 'count', n, bytes }.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

const maxClients = Number(process.argv[2] ?? 8);
let n = 0;
let bytes = 0;
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  maxClients,
  size: 25 * 1024 * 1024,
  onData(stream, _session, callback) {
    stream.on('data', (c: Buffer) => void (bytes += c.length));
    stream.on('end', () => {
      n++;
      callback(null, `Queued as ${n}`);
    });
  },
});
smtp.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'port', port: (smtp.server.address() as AddressInfo).port });
});
process.on('message', (m: { type?: string }) => {
  if (m.type === 'count') process.send?.({ type: 'count', n, bytes });
  if (m.type === 'stop') smtp.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));

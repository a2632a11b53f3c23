// An SMTP server for benchmarks: it accepts every message, keeps nothing but
// the arrival time per recipient, and discards the body, so that what is
// measured is the sender, not the sink.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CountingSink {
  smtpUrl: string;
  port: number;
  /** Message bytes received so far. */
  bytes(): number;
  /** Messages accepted so far. */
  count(): number;
  /** Arrival time (performance.now() of this process) of the first message to each address. */
  arrivals: Map<string, number>;
  /** Resolves when `n` messages have arrived, or rejects after `timeoutMs`. */
  waitForCount(n: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** `latencyMs`: each message is answered that much later, like a remote relay (the sender's connection waits). */
export async function startCountingSink(opts: { maxClients?: number; latencyMs?: number } = {}): Promise<CountingSink> {
  let received = 0;
  let bytes = 0;
  const arrivals = new Map<string, number>();
  const waiters = new Set<() => void>();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    maxClients: opts.maxClients ?? 64,
    size: 25 * 1024 * 1024,
    onData(stream, session, callback) {
      stream.on('data', (c: Buffer) => void (bytes += c.length));
      stream.on('end', () => void (opts.latencyMs ? setTimeout(accept, opts.latencyMs) : accept()));
      const accept = () => {
        received++;
        const at = performance.now();
        for (const r of session.envelope.rcptTo) if (!arrivals.has(r.address)) arrivals.set(r.address, at);
        for (const w of waiters) w();
        callback(null, 'Queued');
      };
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (smtp.server.address() as AddressInfo).port;
  smtp.on('error', () => undefined); // a sender that vanishes resets its connection

  return {
    smtpUrl: `smtp://127.0.0.1:${port}?tls=off`,
    port,
    bytes: () => bytes,
    count: () => received,
    arrivals,
    waitForCount(n, timeoutMs) {
      if (received >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`only ${received} of ${n} messages arrived within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (received < n) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    close: () => new Promise<void>((r) => smtp.close(() => r())),
  };
}

// A real SMTP server whose answers a test switches at run time, the way a relay
// behaves on a bad day: every message deferred (4xx) for a while, then some
// recipients refused for good (5xx). It counts what it refused and keeps what
// it accepted, by recipient, so a test can assert "exactly once".
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type SmtpMode = 'accept' | 'defer';

export interface FaultySmtp {
  url: string;
  /** `defer`: every RCPT gets 451. `accept`: RCPTs matching `refuse` get 550, the rest are accepted. */
  mode: SmtpMode;
  refuse: (address: string) => boolean;
  deferred: number;
  refused: number;
  /** Accepted messages per recipient address. */
  accepted: Map<string, number>;
  acceptedTotal(): number;
  close(): Promise<void>;
}

export async function startFaultySmtp(): Promise<FaultySmtp> {
  const fail = (code: number, msg: string) => Object.assign(new Error(msg), { responseCode: code });
  const state: FaultySmtp = {
    url: '',
    mode: 'accept',
    refuse: () => false,
    deferred: 0,
    refused: 0,
    accepted: new Map(),
    acceptedTotal: () => [...state.accepted.values()].reduce((a, b) => a + b, 0),
    close: async () => undefined,
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (state.mode === 'defer') {
        state.deferred++;
        return cb(fail(451, '4.3.2 try again later'));
      }
      if (state.refuse(address.address)) {
        state.refused++;
        return cb(fail(550, '5.1.1 mailbox unavailable'));
      }
      cb();
    },
    onData(stream, session, cb) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        for (const r of session.envelope.rcptTo) state.accepted.set(r.address, (state.accepted.get(r.address) ?? 0) + 1);
        cb(null, 'queued');
      });
    },
  });
  // A client killed mid-conversation resets its connection: not a fault of the test.
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}?tls=off`;
  state.close = () => new Promise<void>((r) => server.close(() => r()));
  return state;
}

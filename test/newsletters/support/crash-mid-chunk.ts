// Run as a child process by test/newsletters/chunks.test.ts: runs one real
// broadcast chunk with a mailer that lets `after` SMTP conversations complete
// and then kills this process (SIGKILL) in the middle of the chunk, with other
// sends in flight and the rest of the chunk queued: a worker dying mid-chunk.
// argv: <databaseUrl> <smtpUrl> <broadcastId> <limit> <after> <concurrency>
import { createBroadcastActivities } from '../../../activities/broadcast';
import { createMailer, type Mailer } from '../../../email/transport';
import { createDb } from '../../../lib/db';
import { createLogger } from '../../../lib/logger';

const [databaseUrl, smtpUrl, broadcastId, limit, after, concurrency] = process.argv.slice(2);
const real = createMailer(smtpUrl!, Number(concurrency));
let done = 0;
const dying = {
  async sendMail(...args: Parameters<Mailer['sendMail']>) {
    const info = await real.sendMail(...args);
    if (++done >= Number(after)) {
      process.stdout.write(`SMTP-DONE ${done}\n`);
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => {});
    }
    return info;
  },
} as unknown as Mailer;
const acts = createBroadcastActivities({
  db: createDb(databaseUrl!, 4),
  mailer: dying,
  log: createLogger('crash', 'silent'),
  mailFrom: 'Rapport <hello@rapport.test>',
  publicUrl: 'http://rapport.test',
  linkSecret: 'link-secret-0123456789abcdef',
});
await acts.sendBroadcastBatch({ broadcastId: broadcastId!, limit: Number(limit), concurrency: Number(concurrency) });
process.stdout.write('NOT-KILLED\n');
process.exit(1);

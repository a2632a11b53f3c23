// Run as a child process by test/email/delivery.test.ts: runs the real
// send-email activity with a mailer that lets the SMTP conversation complete
// and then kills this process (SIGKILL) before the activity can write that the
// email was sent: a worker dying between SMTP and bookkeeping.
// argv: <databaseUrl> <smtpUrl> <input JSON>
import { createSendEmail, type SendEmailInput } from '../../../activities/send-email';
import { createMailer } from '../../../email/transport';
import { createDb } from '../../../lib/db';
import { createLogger } from '../../../lib/logger';
import type { Mailer } from '../../../email/transport';

const [databaseUrl, smtpUrl, inputJson] = process.argv.slice(2);
const real = createMailer(smtpUrl!, 1);
const dying = {
  async sendMail(...args: Parameters<Mailer['sendMail']>) {
    await real.sendMail(...args);
    process.stdout.write('SMTP-DONE\n');
    process.kill(process.pid, 'SIGKILL');
    await new Promise(() => {});
  },
} as unknown as Mailer;
const send = createSendEmail({
  db: createDb(databaseUrl!, 2),
  mailer: dying,
  log: createLogger('crash', 'silent'),
  mailFrom: 'Rapport <hello@rapport.test>',
  publicUrl: 'http://rapport.test',
  linkSecret: 'link-secret-0123456789abcdef',
});
await send(JSON.parse(inputJson!) as SendEmailInput);
process.stdout.write('NOT-KILLED\n');
process.exit(1);

// Shared set-up for tests that run journeys against real PostgreSQL and SMTP.
import { createActivities } from '../../activities';
import { seedShippedContent } from '../../db/seed';
import { createMailer, type Mailer } from '../../email/transport';
import { createLogger } from '../../lib/logger';
import { startMailSink, type MailSink } from '../../stack/smtp-sink';
import { freshDatabase, type TestDb } from './db';
import { TEST_LINK_SECRET, TEST_OUTGOING_SECRET } from './env';

export interface JourneyFixture {
  tdb: TestDb;
  sink: MailSink;
  mailer: Mailer;
  activities: ReturnType<typeof createActivities>;
  close(): Promise<void>;
}

export async function journeyFixture(name: string): Promise<JourneyFixture> {
  const tdb = await freshDatabase(name);
  await seedShippedContent(tdb.db);
  const sink = await startMailSink({ smtpPort: 0 });
  const mailer = createMailer(sink.smtpUrl, 2);
  const activities = createActivities({
    db: tdb.db,
    mailer,
    log: createLogger('test', 'silent'),
    mailFrom: 'Rapport <hello@rapport.test>',
    publicUrl: 'http://rapport.test',
    linkSecret: TEST_LINK_SECRET,
    outgoingWebhookSecret: TEST_OUTGOING_SECRET,
  });
  return {
    tdb,
    sink,
    mailer,
    activities,
    async close() {
      mailer.close();
      await sink.close();
      await tdb.close();
    },
  };
}

// What activities need from the outside world, injected so tests can supply their own.
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import type { Mailer } from '../email/transport';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  log: Logger;
  mailFrom: string;
  publicUrl: string;
  linkSecret: string;
}

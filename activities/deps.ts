// What activities need from the outside world, injected so tests can supply their own.
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import type { Mailer } from '../email/transport';
import type { SendPolicy } from '../email/policy';
import type { CatalogProduct } from '../email/helpers';
import type { Preparer } from '../email/prepare-pool';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  log: Logger;
  mailFrom: string;
  publicUrl: string;
  linkSecret: string;
  /** Frequency cap and quiet hours for marketing email (email/policy.ts); absent: none. */
  policy?: SendPolicy;
  /** Address in the mailto: of List-Unsubscribe; default unsubscribe@<MAIL_FROM domain>. */
  unsubscribeMailto?: string;
  /** Products for {{recommend}}; default templates/catalog.json. */
  catalog?: CatalogProduct[];
  /** Signs outgoing webhook calls from journeys (webhook step). */
  outgoingWebhookSecret?: string;
  /** Called after an activity stored events, to deliver them without waiting for a poll. */
  onEventsStored?: () => void;
  /** Newsletter claim lease and its renewal period (activities/broadcast-chunk.ts); tests shorten them. */
  claimLease?: { leaseMs: number; renewMs: number };
  /** Where newsletter chunks render their emails (email/prepare-pool.ts); absent: on the activity's thread. */
  preparer?: Preparer;
}

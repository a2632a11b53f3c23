// An unsubscribe link (or RFC 8058 one-click): effective at once.
import type { Db } from '../../lib/db';
import type { Logger } from '../../lib/logger';
import { setSubscriptions } from '../suppression';

/** `category` "*": every marketing category. */
export async function unsubscribeByLink(deps: { db: Db; log: Logger }, contactId: string, category: string): Promise<void> {
  await deps.db.$transaction((tx) => setSubscriptions(tx, contactId, { [category]: 'unsubscribed' }, 'link'));
  deps.log.info({ contactId, category }, 'unsubscribed');
}

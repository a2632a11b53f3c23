// The double opt-in confirmation: the category becomes "subscribed", and an
// event (one per confirmation link) lets journeys greet the new subscriber.
import { ingestEvent } from '../ingest';
import type { Db } from '../../lib/db';
import { NotFoundError } from '../../lib/errors';
import { setSubscriptions } from '../../email/suppression';

export async function confirmSubscription(
  deps: { db: Db; onEventsStored?: () => void },
  link: { contactId: string; category: string; expires: number },
): Promise<void> {
  const { category } = link;
  const c = await deps.db.$transaction((tx) => setSubscriptions(tx, link.contactId, { [category]: 'subscribed' }, 'double_opt_in'));
  if (!c) throw new NotFoundError('not_found', 'this subscription no longer exists');
  await ingestEvent(deps.db, 'consent', {
    id: `confirmed:${category}:${c.id}:${link.expires}`,
    type: `${category}_subscribed`,
    contact: { id: c.id },
    properties: { category },
  });
  deps.onEventsStored?.();
}

// The preference page's state for a contact: which marketing categories it
// gets, and whether it refused all marketing.
import type { Db } from '../../lib/db';
import { NotFoundError } from '../../lib/errors';
import { receives, subscriptionsOf } from '../preferences';
import { MARKETING_CATEGORIES } from '../suppression';

export async function preferencesOf(db: Db, contactId: string): Promise<{ receives: Record<string, boolean>; none: boolean }> {
  const c = await db.contact.findUnique({ where: { id: contactId } });
  if (!c || c.deletedAt) throw new NotFoundError('not_found', 'we have no email preferences for you');
  const subs = subscriptionsOf(c);
  return {
    receives: Object.fromEntries(MARKETING_CATEGORIES.map((cat) => [cat, receives(subs, cat)])),
    none: subs['*'] === 'unsubscribed',
  };
}

// Saves the preference page: every marketing category on or off, or none at
// all. A checkbox never subscribes anyone to an opt-in category (that takes
// the double opt-in); it keeps a confirmed subscription.
import type { Db } from '../../lib/db';
import type { Logger } from '../../lib/logger';
import { NotFoundError } from '../../lib/errors';
import { OPT_IN_CATEGORIES, receives, subscriptionsOf } from '../preferences';
import { MARKETING_CATEGORIES, setSubscriptions, type SubscriptionState } from '../suppression';

export interface PreferencesForm {
  /** The categories ticked. */
  wanted: ReadonlySet<string>;
  /** "No marketing email at all". */
  none: boolean;
}

export async function savePreferences(deps: { db: Db; log: Logger }, contactId: string, form: PreferencesForm) {
  const saved = await deps.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM contacts WHERE id = ${contactId}::uuid FOR UPDATE`;
    const before = await tx.contact.findUnique({ where: { id: contactId }, select: { subscriptions: true } });
    if (!before) return null;
    const subs = subscriptionsOf(before);
    const changes: Record<string, SubscriptionState> = {};
    const needsOptIn: string[] = [];
    for (const cat of MARKETING_CATEGORIES) {
      const wanted = !form.none && form.wanted.has(cat);
      if (!wanted) changes[cat] = 'unsubscribed';
      else if (!OPT_IN_CATEGORIES.has(cat)) changes[cat] = 'subscribed';
      else if (subs[cat] !== 'subscribed') needsOptIn.push(cat);
    }
    changes['*'] = form.none ? 'unsubscribed' : 'subscribed';
    const c = await setSubscriptions(tx, contactId, changes, 'preferences');
    return c ? { changes, needsOptIn, subs: subscriptionsOf(c) } : null;
  });
  if (!saved) throw new NotFoundError('not_found', 'we have no email preferences for you');
  deps.log.info({ contactId, changes: saved.changes }, 'preferences saved');
  return { chosen: MARKETING_CATEGORIES.filter((cat) => receives(saved.subs, cat)), needsOptIn: saved.needsOptIn };
}

// What the workspace does with contacts beyond the /v1 API: search, and
// unsubscribe from all marketing email at a marketer's request.
import { Prisma } from '@prisma/client';
import type { Db } from '../lib/db';
import { MARKETING_CATEGORIES, setSubscriptions } from '../email/suppression';

export interface ContactHit {
  id: string;
  email: string;
  name: string | null;
  tier: string | null;
  tags: string[];
  createdAt: string;
}

/**
 * Contacts whose email or name contains `q`, or who carry the tag `q` (erased
 * contacts never match), newest first. An empty query lists the newest contacts.
 */
export async function searchContacts(db: Db, q: string, limit = 50): Promise<{ contacts: ContactHit[]; more: boolean }> {
  const term = q.trim();
  const rows = await db.contact.findMany({
    where: {
      deletedAt: null,
      ...(term
        ? {
            OR: [
              { email: { contains: term.toLowerCase() } },
              { firstName: { contains: term, mode: Prisma.QueryMode.insensitive } },
              { lastName: { contains: term, mode: Prisma.QueryMode.insensitive } },
              { company: { contains: term, mode: Prisma.QueryMode.insensitive } },
              { tags: { has: term } },
            ],
          }
        : {}),
    },
    orderBy: { createdAt: 'desc' },
    take: limit + 1,
    select: { id: true, email: true, firstName: true, lastName: true, tier: true, tags: true, createdAt: true },
  });
  return {
    more: rows.length > limit,
    contacts: rows.slice(0, limit).map((r) => ({
      id: r.id,
      email: r.email,
      name: [r.firstName, r.lastName].filter(Boolean).join(' ') || null,
      tier: r.tier,
      tags: r.tags,
      createdAt: r.createdAt.toISOString(),
    })),
  };
}

/** Unsubscribes a contact from every marketing category (and suppresses the address); `by` is the account id. */
export async function unsubscribeFromMarketing(db: Db, contactId: string, by: string): Promise<boolean> {
  const changes = Object.fromEntries(MARKETING_CATEGORIES.map((c) => [c, 'unsubscribed' as const]));
  const c = await db.$transaction((tx) => setSubscriptions(tx, contactId, changes, `workspace:${by}`));
  return c !== null;
}

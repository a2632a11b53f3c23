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

const HIT_SELECT = { id: true, email: true, firstName: true, lastName: true, tier: true, tags: true, createdAt: true } as const;

/**
 * Contacts whose email, name or company contains `q`, or who carry the tag `q`
 * (erased contacts never match), newest first. An empty query lists the newest
 * contacts. `within` narrows to a set given as a SQL condition on `c` (the
 * contacts table), e.g. a segment's compiled condition.
 */
export async function searchContacts(
  db: Db,
  q: string,
  { limit = 50, within }: { limit?: number; within?: Prisma.Sql } = {},
): Promise<{ contacts: ContactHit[]; more: boolean }> {
  const term = q.trim();
  const rows = within ? await searchWithin(db, term, within, limit) : await searchAll(db, term, limit);
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

/** The same match in SQL, inside `within`: one query for the page's ids, one for their rows. */
async function searchWithin(db: Db, term: string, within: Prisma.Sql, limit: number) {
  const like = `%${term.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const match = term
    ? Prisma.sql`AND (c."email" LIKE lower(${like}) OR c."first_name" ILIKE ${like} OR c."last_name" ILIKE ${like}
        OR c."company" ILIKE ${like} OR ${term} = ANY(c."tags"))`
    : Prisma.empty;
  const ids = await db.$queryRaw<{ id: string }[]>`
    SELECT c."id"::text AS id FROM "contacts" c
    WHERE c."deleted_at" IS NULL AND (${within}) ${match}
    ORDER BY c."created_at" DESC, c."id" LIMIT ${limit + 1}::int`;
  return db.contact.findMany({
    where: { id: { in: ids.map((r) => r.id) } },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    select: HIT_SELECT,
  });
}

async function searchAll(db: Db, term: string, limit: number) {
  return db.contact.findMany({
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
    select: HIT_SELECT,
  });
}

/** Unsubscribes a contact from every marketing category (and suppresses the address); `by` is the account id. */
export async function unsubscribeFromMarketing(db: Db, contactId: string, by: string): Promise<boolean> {
  const changes = Object.fromEntries(MARKETING_CATEGORIES.map((c) => [c, 'unsubscribed' as const]));
  const c = await db.$transaction((tx) => setSubscriptions(tx, contactId, changes, `workspace:${by}`));
  return c !== null;
}

// Fixtures written straight to the database: contacts and a backlog of stored,
// undispatched events, as if the server had accepted them. Set-based SQL, so
// that making 50,000 rows takes a second, not the figure being measured.
import type { Db } from '../../lib/db';

/** Inserts `n` contacts bench-<offset+i>@example.com; returns their ids in order. */
export async function insertContacts(db: Db, n: number, offset = 0): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO contacts (id, email, first_name, updated_at)
    SELECT gen_random_uuid(), 'bench-' || (${offset}::int + i) || '@example.com', 'Bench', now()
    FROM generate_series(1, ${n}::int) AS i
    ORDER BY i
    RETURNING id::text`;
  return rows.map((r) => r.id);
}

/** Stores one undispatched event of `type` per contact id and round (`perContact` rounds, in order). */
export async function insertEvents(db: Db, contactIds: string[], type: string, perContact = 1, tag = 'bench'): Promise<number> {
  return db.$executeRaw`
    INSERT INTO events (id, idempotency_key, source, type, contact_id, properties, occurred_at, received_at, next_dispatch_at)
    SELECT gen_random_uuid(), ${tag} || ':' || c.ord || ':' || r, 'bench', ${type}, c.id::uuid, '{}'::jsonb, now(),
           now() + make_interval(secs => r * 0.000001), now()
    FROM unnest(${contactIds}::text[]) WITH ORDINALITY AS c(id, ord), generate_series(1, ${perContact}::int) AS r`;
}

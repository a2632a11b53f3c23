// Stores events. A stored event is also an outbox entry: the dispatcher hands it
// to Temporal later, so accepting an event never depends on Temporal being up.
//
// Most events (any type without effects on the contact, for a contact named by
// email alone, or by id or externalId) are stored by ONE SQL statement in its
// own implicit transaction: contact upsert, event insert, attribute_changed
// events. The others (purchases, email feedback, a contact named by both email
// and externalId) take the general path: a transaction of several queries.
import { randomUUID } from 'node:crypto';
import { Prisma, type Contact, type Event } from '@prisma/client';
import pg from 'pg';
import { z } from 'zod';
import type { Db } from '../lib/db';
import { ContactConflictError, findContact, upsertContact } from '../contacts/service';
import { SYSTEM_EVENTS } from '../journeys/match';
import { applyEventToContact, TYPES_WITH_CONTACT_EFFECTS } from './effects';
import type { GroupCommit } from './group-commit';
import type { EventInput } from './schema';

export interface IngestResult {
  id: string;
  eventId: string;
  contactId: string;
  duplicate: boolean;
}

export class UnknownContactError extends Error {
  override name = 'UnknownContactError';
}

async function resolveContact(tx: Prisma.TransactionClient, c: EventInput['contact']): Promise<Contact> {
  const { id, email, ...profile } = c;
  if (email) return (await upsertContact(tx, { ...profile, email })).contact;
  const found = await findContact(tx, { id, externalId: c.externalId });
  if (!found) throw new UnknownContactError('no contact with that id or externalId; include an email to create one');
  return found;
}

/**
 * Stores one event (and its contact changes) atomically; repeats are no-ops.
 * With `group`, a one-statement event is committed together with the
 * concurrent requests' (events/group-commit.ts).
 */
export async function ingestEvent(db: Db, source: string, input: EventInput, group?: GroupCommit): Promise<IngestResult> {
  if (singleStatementEligible(input)) return ingestInOneStatement(db, source, input, group);
  return ingestInTransaction(db, source, input);
}

/** Whether the event can be stored by one statement with exactly the effects of the general path. */
export function singleStatementEligible(input: EventInput): boolean {
  if (TYPES_WITH_CONTACT_EFFECTS.has(input.type)) return false;
  // email + externalId: two unique keys to reconcile (and conflicts to report): the general path.
  return !(input.contact.email !== undefined && input.contact.externalId !== undefined);
}

type Stored = { event_id: string; contact_id: string };

const adapterError = z.object({ driverAdapterError: z.object({ cause: z.object({ originalCode: z.string() }) }) });

/** The SQLSTATE of a failed raw query, as node-postgres or Prisma's driver adapter reports it. */
function sqlState(err: unknown): string | null {
  if (err instanceof pg.DatabaseError) return err.code ?? null;
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return null;
  return adapterError.safeParse(err.meta).data?.driverAdapterError.cause.originalCode ?? null;
}

/** SQLSTATEs of a lost race that a new attempt resolves (see ingestInOneStatement). */
const RACES = new Set(['23503', '23505', '40P01']);

async function ingestInOneStatement(db: Db, source: string, input: EventInput, group?: GroupCommit): Promise<IngestResult> {
  const idempotencyKey = `${source}:${input.id}`;
  const email = input.contact.email;
  // The order of statements in a group: the contact row each locks.
  const lockKey = email ?? input.contact.id ?? input.contact.externalId ?? '';
  for (let attempt = 1; ; attempt++) {
    let rows: Stored[];
    try {
      const sql =
        email !== undefined
          ? storeUpsertingContact(source, idempotencyKey, input, email)
          : storeForKnownContact(source, idempotencyKey, input);
      rows = group ? await group.run<Stored>(sql, lockKey) : await db.$queryRaw<Stored[]>(sql);
    } catch (err) {
      // Two first events of one new contact: both insert it, the second one's
      // upsert lands on the first one's row and its event names a contact id
      // that was never inserted (23503, nothing of the statement stays). The
      // next attempt finds the contact.
      const code = sqlState(err);
      if (code !== null && RACES.has(code) && attempt < 3) continue;
      throw err;
    }
    const stored = rows[0];
    if (stored) return { id: input.id, eventId: stored.event_id, contactId: stored.contact_id, duplicate: false };
    // Nothing inserted: a repeat (maybe committed while this statement ran), or no such contact.
    const existing = await db.event.findUnique({ where: { idempotencyKey }, select: { id: true, contactId: true } });
    if (existing) return { id: input.id, eventId: existing.id, contactId: existing.contactId, duplicate: true };
    if (input.contact.email === undefined)
      throw new UnknownContactError('no contact with that id or externalId; include an email to create one');
    if (attempt >= 3) throw new Error('the event was neither stored nor found as a repeat');
  }
}

function occurredAtIso(input: EventInput): string {
  return (input.occurredAt ? new Date(input.occurredAt) : new Date()).toISOString();
}

/**
 * The event of a contact named by id or externalId (profile fields are ignored
 * without an email, as on the general path): inserted only if the contact
 * exists and is not deleted, and only once per idempotency key.
 */
function storeForKnownContact(source: string, key: string, input: EventInput): Prisma.Sql {
  const c = input.contact;
  const which = c.id !== undefined ? Prisma.sql`c.id = ${c.id}::uuid` : Prisma.sql`c.external_id = ${c.externalId ?? null}::text`;
  return Prisma.sql`
    INSERT INTO events (id, idempotency_key, source, type, contact_id, properties, occurred_at)
    SELECT ${randomUUID()}::uuid, ${key}, ${source}, ${input.type}, c.id, ${JSON.stringify(input.properties)}::jsonb,
           (${occurredAtIso(input)}::timestamptz AT TIME ZONE 'UTC')
    FROM contacts c WHERE ${which} AND c.deleted_at IS NULL
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id::text AS event_id, contact_id::text AS contact_id`;
}

/**
 * upsertContact + the event insert + recordAttributeChanges, in one statement:
 *  - `old` locks the contact row (if any) for the statement and reads its
 *    attributes as committed (FOR UPDATE waits for a concurrent writer and sees
 *    its result), so the attribute diff is exact;
 *  - `ev` inserts the event unless its key exists; every later step reads
 *    `ev`, so a repeat changes nothing at all;
 *  - `up` inserts the contact with the id `ev` used, or updates the existing
 *    row: given profile fields replace, attributes merge (null removes a key),
 *    the rest stays — the same as upsertContact;
 *  - `changed` records one attribute_changed event per attribute that differs.
 * Foreign keys are checked at the end of the statement, so `ev` may name the
 * contact `up` inserts.
 */
function storeUpsertingContact(source: string, key: string, input: EventInput, email: string): Prisma.Sql {
  const c = input.contact;
  const patch = Object.entries(c.attributes ?? {});
  const setAttrs = JSON.stringify(Object.fromEntries(patch.filter(([, v]) => v !== null)));
  const removed = patch.filter(([, v]) => v === null).map(([k]) => k);
  const consent = c.marketingConsent ?? null;
  const systemKey = `system:upsert:${randomUUID()}:`;
  return Prisma.sql`
    WITH old AS (
      SELECT id, attributes FROM contacts WHERE email = ${email} FOR UPDATE
    ), ev AS (
      INSERT INTO events (id, idempotency_key, source, type, contact_id, properties, occurred_at)
      SELECT ${randomUUID()}::uuid, ${key}, ${source}, ${input.type},
             coalesce((SELECT id FROM old), ${randomUUID()}::uuid), ${JSON.stringify(input.properties)}::jsonb,
             (${occurredAtIso(input)}::timestamptz AT TIME ZONE 'UTC')
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING id, contact_id
    ), up AS (
      INSERT INTO contacts AS t (id, email, first_name, last_name, company, phone, time_zone, locale, currency,
                                 owner_email, tags, marketing_consent, consent_updated_at, attributes, updated_at)
      SELECT ev.contact_id, ${email}, ${c.firstName ?? null}::text, ${c.lastName ?? null}::text, ${c.company ?? null}::text,
             ${c.phone ?? null}::text, coalesce(${c.timeZone ?? null}::text, 'UTC'), coalesce(${c.locale ?? null}::text, 'en'),
             coalesce(${c.currency ?? null}::text, 'USD'), ${c.ownerEmail ?? null}::text,
             coalesce(${c.tags ?? null}::text[], ARRAY[]::text[]), coalesce(${consent}::boolean, false),
             CASE WHEN ${consent}::boolean IS NOT NULL THEN now() AT TIME ZONE 'UTC' END,
             ${setAttrs}::jsonb, now() AT TIME ZONE 'UTC'
      FROM ev
      ON CONFLICT (email) DO UPDATE SET
        first_name = coalesce(${c.firstName ?? null}::text, t.first_name),
        last_name = coalesce(${c.lastName ?? null}::text, t.last_name),
        company = coalesce(${c.company ?? null}::text, t.company),
        phone = coalesce(${c.phone ?? null}::text, t.phone),
        time_zone = coalesce(${c.timeZone ?? null}::text, t.time_zone),
        locale = coalesce(${c.locale ?? null}::text, t.locale),
        currency = coalesce(${c.currency ?? null}::text, t.currency),
        owner_email = coalesce(${c.ownerEmail ?? null}::text, t.owner_email),
        tags = coalesce(${c.tags ?? null}::text[], t.tags),
        marketing_consent = coalesce(${consent}::boolean, t.marketing_consent),
        consent_updated_at = CASE WHEN ${consent}::boolean IS NOT NULL THEN now() AT TIME ZONE 'UTC' ELSE t.consent_updated_at END,
        attributes = (t.attributes || ${setAttrs}::jsonb) - ${removed}::text[],
        deleted_at = NULL,
        updated_at = now() AT TIME ZONE 'UTC'
      RETURNING t.id, t.attributes
    ), changed AS (
      INSERT INTO events (id, idempotency_key, source, type, contact_id, properties, occurred_at)
      SELECT gen_random_uuid(), ${systemKey} || k, 'system', ${SYSTEM_EVENTS.attributeChanged}, up.id,
             jsonb_build_object('attribute', k, 'from', coalesce(old.attributes -> k, 'null'::jsonb), 'to', coalesce(up.attributes -> k, 'null'::jsonb)),
             now() AT TIME ZONE 'UTC'
      FROM up LEFT JOIN old ON true
      CROSS JOIN LATERAL (SELECT jsonb_object_keys(coalesce(old.attributes, '{}'::jsonb)) UNION SELECT jsonb_object_keys(up.attributes)) AS keys(k)
      WHERE coalesce(old.attributes -> k, 'null'::jsonb) IS DISTINCT FROM coalesce(up.attributes -> k, 'null'::jsonb)
      ON CONFLICT (idempotency_key) DO NOTHING
    )
    SELECT id::text AS event_id, contact_id::text AS contact_id FROM ev`;
}

/** The general path: one interactive transaction (the effects in events/effects.ts need it). */
export async function ingestInTransaction(db: Db, source: string, input: EventInput): Promise<IngestResult> {
  const idempotencyKey = `${source}:${input.id}`;
  for (let attempt = 1; ; attempt++) {
    const existing = await db.event.findUnique({ where: { idempotencyKey } });
    if (existing) return { id: input.id, eventId: existing.id, contactId: existing.contactId, duplicate: true };
    try {
      return await db.$transaction(async (tx) => {
        const contact = await resolveContact(tx, input.contact);
        const event: Event = await tx.event.create({
          data: {
            idempotencyKey,
            source,
            type: input.type,
            contactId: contact.id,
            properties: input.properties as Prisma.InputJsonObject,
            occurredAt: input.occurredAt ? new Date(input.occurredAt) : new Date(),
          },
        });
        await applyEventToContact(tx, contact, event);
        return { id: input.id, eventId: event.id, contactId: contact.id, duplicate: false };
      });
    } catch (err) {
      // A unique violation means a concurrent request won a race: two deliveries
      // of this event (then the loop reports the duplicate), or two first events
      // of a new contact (then the contact exists now). Run once more.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002' && attempt < 3) continue;
      throw err;
    }
  }
}

export { ContactConflictError };

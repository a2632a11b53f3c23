// Applies one chunk of validated import rows to the contacts table with a
// handful of statements (one read, one multi-row UPDATE, one multi-row INSERT,
// one INSERT of consent records), keeping the semantics of upsertContact:
// matched by externalId, else by normalised email; a row whose email and
// externalId name two different contacts is a row error. Rows apply in file
// order, as successive POST /v1/contacts calls would.
import type { Prisma } from '@prisma/client';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../lib/db';
import type { ConsentAttestation, Suppressed } from './import-consent';
import { subscribeRefusal } from './import-consent';
import type { RowNote } from './import-jobs';
import type { RowError } from './import-parse';
import type { ContactUpsert } from './schema';
import { mergeAttributes } from './service';

type Tx = Prisma.TransactionClient;

export interface ValidRow {
  line: number;
  input: ContactUpsert;
}

/** What a chunk did; added to the import's tally once the chunk is kept. */
export interface ChunkResult {
  created: number;
  updated: number;
  unchanged: number;
  subscribed: number;
  failures: RowError[][];
  notes: RowNote[];
}

const PROFILE_FIELDS = ['firstName', 'lastName', 'company', 'phone', 'timeZone', 'locale', 'currency', 'ownerEmail'] as const;
type ProfileField = (typeof PROFILE_FIELDS)[number];

/** Column defaults of a new contact (as in prisma/schema.prisma). */
const NEW_CONTACT_DEFAULTS = { timeZone: 'UTC', locale: 'en', currency: 'USD' };

interface ContactState {
  id: string;
  isNew: boolean;
  deleted: boolean;
  email: string;
  externalId: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  phone: string | null;
  timeZone: string;
  locale: string;
  currency: string;
  ownerEmail: string | null;
  attributes: Prisma.JsonValue;
  tags: string[];
  subscriptions: Record<string, string>;
  marketingConsent: boolean;
  consentChanged: boolean;
  dirty: boolean;
  newlySubscribed: string[];
}

const existingRow = z.object({
  id: z.string(),
  email: z.string(),
  external_id: z.string().nullable(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  company: z.string().nullable(),
  phone: z.string().nullable(),
  time_zone: z.string(),
  locale: z.string(),
  currency: z.string(),
  owner_email: z.string().nullable(),
  attributes: z.json(),
  tags: z.array(z.string()),
  // Only string states are meaningful (email/suppression.ts reads them so).
  subscriptions: z
    .record(z.string(), z.unknown())
    .catch({})
    .transform((s) => Object.fromEntries(Object.entries(s).filter((e): e is [string, string] => typeof e[1] === 'string'))),
  marketing_consent: z.boolean(),
  deleted_at: z.date().nullable(),
});
const suppressionRow = z.object({ email: z.string(), category: z.string(), reason: z.string() });

function stateOf(r: z.infer<typeof existingRow>): ContactState {
  return {
    id: r.id,
    isNew: false,
    deleted: r.deleted_at !== null,
    email: r.email,
    externalId: r.external_id,
    firstName: r.first_name,
    lastName: r.last_name,
    company: r.company,
    phone: r.phone,
    timeZone: r.time_zone,
    locale: r.locale,
    currency: r.currency,
    ownerEmail: r.owner_email,
    attributes: r.attributes as Prisma.JsonValue,
    tags: r.tags,
    subscriptions: r.subscriptions,
    marketingConsent: r.marketing_consent,
    consentChanged: false,
    dirty: false,
    newlySubscribed: [],
  };
}

function newState(input: ContactUpsert): ContactState {
  return {
    id: randomUUID(),
    isNew: true,
    deleted: false,
    email: input.email,
    externalId: null,
    firstName: null,
    lastName: null,
    company: null,
    phone: null,
    ...NEW_CONTACT_DEFAULTS,
    ownerEmail: null,
    attributes: {},
    tags: [],
    subscriptions: {},
    marketingConsent: false,
    consentChanged: false,
    dirty: true,
    newlySubscribed: [],
  };
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Applies a row's fields to the state; returns whether anything changed. */
function applyProfile(s: ContactState, input: ContactUpsert): boolean {
  let changed = s.deleted;
  s.deleted = false;
  if (s.email !== input.email) [s.email, changed] = [input.email, true];
  if (input.externalId !== undefined && s.externalId !== input.externalId) [s.externalId, changed] = [input.externalId, true];
  for (const k of PROFILE_FIELDS) {
    const v = input[k as ProfileField];
    if (v !== undefined && s[k] !== v) {
      s[k] = v;
      changed = true;
    }
  }
  if (input.tags !== undefined && !sameJson(s.tags, input.tags)) [s.tags, changed] = [input.tags, true];
  if (input.attributes !== undefined) {
    const merged = mergeAttributes(s.attributes, input.attributes);
    if (!sameJson(merged, s.attributes)) [s.attributes, changed] = [JSON.parse(JSON.stringify(merged)) as Prisma.JsonValue, true];
  }
  if (input.marketingConsent !== undefined && s.marketingConsent !== input.marketingConsent) {
    s.marketingConsent = input.marketingConsent;
    s.consentChanged = true;
    changed = true;
  }
  return changed;
}

/** Subscribes the attested categories the contact may be subscribed to; notes the others. */
function applyConsent(
  s: ContactState,
  input: ContactUpsert,
  consent: ConsentAttestation,
  suppressed: readonly Suppressed[],
  line: number,
  notes: RowNote[],
): boolean {
  if (input.marketingConsent === false) {
    notes.push({ line, field: 'marketingConsent', note: 'not subscribed: the row says marketingConsent false' });
    return false;
  }
  let changed = false;
  for (const category of consent.categories) {
    if (s.subscriptions[category] === 'subscribed') continue;
    const refusal = subscribeRefusal(s.subscriptions, suppressed, category);
    if (refusal) {
      notes.push({ line, field: 'consent', note: refusal });
      continue;
    }
    s.subscriptions = { ...s.subscriptions, [category]: 'subscribed' };
    s.newlySubscribed.push(category);
    changed = true;
  }
  if (changed) {
    s.consentChanged = true;
    s.marketingConsent = true;
  }
  return changed;
}

export interface ChunkContext {
  importId: string;
  consent: ConsentAttestation | null;
  /** Lock the matched contacts (false for a dry run). */
  lock: boolean;
}

/** Applies the rows in order inside `tx`. Throws the database's error on a unique violation (the callers replay the rows). */
async function applyRows(tx: Tx, rows: readonly ValidRow[], ctx: ChunkContext): Promise<ChunkResult> {
  const emails = [...new Set(rows.map((r) => r.input.email))];
  const externalIds = [...new Set(rows.flatMap((r) => (r.input.externalId ? [r.input.externalId] : [])))];
  // Locked until the chunk commits, so journeys and API upserts of these contacts wait instead of being
  // overwritten; in id order, so two imports locking the same contacts cannot deadlock. A dry run keeps
  // nothing, so it locks nothing.
  const found = z.array(existingRow).parse(
    ctx.lock
      ? await tx.$queryRaw`
      SELECT id::text, email, external_id, first_name, last_name, company, phone, time_zone, locale, currency,
             owner_email, attributes, tags, subscriptions, marketing_consent, deleted_at
      FROM contacts WHERE email = ANY(${emails}::text[]) OR external_id = ANY(${externalIds}::text[])
      ORDER BY id FOR UPDATE`
      : await tx.$queryRaw`
      SELECT id::text, email, external_id, first_name, last_name, company, phone, time_zone, locale, currency,
             owner_email, attributes, tags, subscriptions, marketing_consent, deleted_at
      FROM contacts WHERE email = ANY(${emails}::text[]) OR external_id = ANY(${externalIds}::text[])`,
  );
  const byEmail = new Map<string, ContactState>();
  const byExternal = new Map<string, ContactState>();
  for (const r of found) {
    const s = stateOf(r);
    byEmail.set(s.email, s);
    if (s.externalId) byExternal.set(s.externalId, s);
  }
  const suppressions = new Map<string, Suppressed[]>();
  if (ctx.consent) {
    const rowsFound = z.array(suppressionRow).parse(
      await tx.$queryRaw`
      SELECT email, category, reason FROM suppressions
      WHERE email = ANY(${emails}::text[]) AND category = ANY(${[...ctx.consent.categories, '*']}::text[])`,
    );
    for (const s of rowsFound)
      suppressions.set(s.email, [...(suppressions.get(s.email) ?? []), { category: s.category, reason: s.reason }]);
  }

  const result: ChunkResult = { created: 0, updated: 0, unchanged: 0, subscribed: 0, failures: [], notes: [] };
  const touched = new Set<ContactState>();
  for (const { line, input } of rows) {
    const te = input.externalId ? byExternal.get(input.externalId) : undefined;
    const tm = byEmail.get(input.email);
    // The same two refusals as upsertContact, as row errors.
    if (te && tm && te !== tm) {
      result.failures.push([
        { line, field: 'email', reason: 'email belongs to a different contact than externalId; merge them or change one' },
      ]);
      continue;
    }
    const existing = te ?? tm;
    if (existing?.externalId && input.externalId && existing.externalId !== input.externalId) {
      result.failures.push([{ line, field: 'externalId', reason: 'this email already belongs to a contact with another externalId' }]);
      continue;
    }
    const s = existing ?? newState(input);
    const wasNew = !existing;
    const before = { email: s.email, externalId: s.externalId };
    let changed = applyProfile(s, input);
    if (ctx.consent && applyConsent(s, input, ctx.consent, suppressions.get(input.email) ?? [], line, result.notes)) changed = true;
    if (before.email !== s.email && byEmail.get(before.email) === s) byEmail.delete(before.email);
    byEmail.set(s.email, s);
    if (s.externalId) byExternal.set(s.externalId, s);
    if (wasNew) result.created++;
    else if (changed) result.updated++;
    else result.unchanged++;
    if (changed || wasNew) {
      s.dirty = true;
      touched.add(s);
    }
  }

  const updates = [...touched].filter((s) => !s.isNew);
  const inserts = [...touched].filter((s) => s.isNew);
  // Updates first: an email an existing contact gave up in this chunk may be taken by a new one.
  if (updates.length > 0) await writeUpdates(tx, updates);
  if (inserts.length > 0) await writeInserts(tx, inserts);
  const consented = [...touched].filter((s) => s.newlySubscribed.length > 0);
  result.subscribed = consented.length;
  if (ctx.consent && consented.length > 0) await writeConsents(tx, consented, ctx.importId, ctx.consent);
  return result;
}

/** A PostgreSQL text[] literal: every element quoted, `"` and `\` escaped. */
function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((t) => `"${t.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** Column arrays for unnest(): one statement writes the whole chunk. */
function columns(states: readonly ContactState[]) {
  return {
    ids: states.map((s) => s.id),
    emails: states.map((s) => s.email),
    externalIds: states.map((s) => s.externalId),
    firstNames: states.map((s) => s.firstName),
    lastNames: states.map((s) => s.lastName),
    companies: states.map((s) => s.company),
    phones: states.map((s) => s.phone),
    timeZones: states.map((s) => s.timeZone),
    locales: states.map((s) => s.locale),
    currencies: states.map((s) => s.currency),
    owners: states.map((s) => s.ownerEmail),
    attributes: states.map((s) => JSON.stringify(s.attributes)),
    // text[] cannot nest in unnest(); tags travel as array literals, cast back per row.
    tags: states.map((s) => arrayLiteral(s.tags)),
    subscriptions: states.map((s) => JSON.stringify(s.subscriptions)),
    consents: states.map((s) => s.marketingConsent),
    consentChanged: states.map((s) => s.consentChanged),
  };
}

async function writeUpdates(tx: Tx, states: readonly ContactState[]): Promise<void> {
  const c = columns(states);
  await tx.$executeRaw`
    UPDATE contacts AS t SET
      email = u.email, external_id = u.external_id, first_name = u.first_name, last_name = u.last_name,
      company = u.company, phone = u.phone, time_zone = u.time_zone, locale = u.locale, currency = u.currency,
      owner_email = u.owner_email, attributes = u.attributes::jsonb,
      tags = u.tags::text[], subscriptions = u.subscriptions::jsonb,
      marketing_consent = u.marketing_consent,
      consent_updated_at = CASE WHEN u.consent_changed THEN now() ELSE t.consent_updated_at END,
      deleted_at = NULL, updated_at = now()
    FROM unnest(${c.ids}::uuid[], ${c.emails}::text[], ${c.externalIds}::text[], ${c.firstNames}::text[],
                ${c.lastNames}::text[], ${c.companies}::text[], ${c.phones}::text[], ${c.timeZones}::text[],
                ${c.locales}::text[], ${c.currencies}::text[], ${c.owners}::text[], ${c.attributes}::text[],
                ${c.tags}::text[], ${c.subscriptions}::text[], ${c.consents}::boolean[], ${c.consentChanged}::boolean[])
      AS u(id, email, external_id, first_name, last_name, company, phone, time_zone, locale, currency,
           owner_email, attributes, tags, subscriptions, marketing_consent, consent_changed)
    WHERE t.id = u.id`;
}

async function writeInserts(tx: Tx, states: readonly ContactState[]): Promise<void> {
  const c = columns(states);
  await tx.$executeRaw`
    INSERT INTO contacts (id, email, external_id, first_name, last_name, company, phone, time_zone, locale, currency,
                          owner_email, attributes, tags, subscriptions, marketing_consent, consent_updated_at,
                          created_at, updated_at)
    SELECT u.id, u.email, u.external_id, u.first_name, u.last_name, u.company, u.phone, u.time_zone, u.locale,
           u.currency, u.owner_email, u.attributes::jsonb, u.tags::text[],
           u.subscriptions::jsonb, u.marketing_consent, CASE WHEN u.consent_changed THEN now() END, now(), now()
    FROM unnest(${c.ids}::uuid[], ${c.emails}::text[], ${c.externalIds}::text[], ${c.firstNames}::text[],
                ${c.lastNames}::text[], ${c.companies}::text[], ${c.phones}::text[], ${c.timeZones}::text[],
                ${c.locales}::text[], ${c.currencies}::text[], ${c.owners}::text[], ${c.attributes}::text[],
                ${c.tags}::text[], ${c.subscriptions}::text[], ${c.consents}::boolean[], ${c.consentChanged}::boolean[])
      AS u(id, email, external_id, first_name, last_name, company, phone, time_zone, locale, currency,
           owner_email, attributes, tags, subscriptions, marketing_consent, consent_changed)`;
}

async function writeConsents(tx: Tx, states: readonly ContactState[], importId: string, consent: ConsentAttestation): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO contact_consents (id, contact_id, import_id, categories, source, obtained_at, attested_by, recorded_at)
    SELECT gen_random_uuid(), u.contact_id, ${importId}::uuid, u.categories::text[],
           ${consent.source}, ${consent.obtainedAt}, ${consent.attestedBy}, now()
    FROM unnest(${states.map((s) => s.id)}::uuid[], ${states.map((s) => arrayLiteral(s.newlySubscribed))}::text[])
      AS u(contact_id, categories)`;
}

const adapterError = z.object({
  driverAdapterError: z.object({
    // A unique violation names its columns (`fields`); a foreign-key violation names its index.
    cause: z.object({
      originalCode: z.string(),
      constraint: z.object({ fields: z.array(z.string()).optional(), index: z.string().optional() }).optional(),
    }),
  }),
});

/** The PostgreSQL error code (SQLSTATE) of a failed query, as Prisma's driver adapter reports it. */
export function pgErrorCode(err: unknown): string | null {
  const meta = err && typeof err === 'object' && 'meta' in err ? err.meta : undefined;
  return adapterError.safeParse(meta).data?.driverAdapterError.cause.originalCode ?? null;
}

/** The column of a unique_violation (23505), or null for any other error. */
function uniqueViolation(err: unknown): string | null {
  const meta = err && typeof err === 'object' && 'meta' in err ? err.meta : undefined;
  const cause = adapterError.safeParse(meta).data?.driverAdapterError.cause;
  if (cause?.originalCode !== '23505') return null;
  return cause.constraint?.fields?.[0] ?? 'email';
}

async function withSavepoint<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  await tx.$executeRaw`SAVEPOINT import_chunk`;
  try {
    const r = await fn();
    await tx.$executeRaw`RELEASE SAVEPOINT import_chunk`;
    return r;
  } catch (err) {
    await tx.$executeRaw`ROLLBACK TO SAVEPOINT import_chunk`;
    throw err;
  }
}

type TxOptions = { timeout: number; maxWait: number };

/** Replays rows one at a time, in order, each re-reading what is committed; a row that still collides is a row error. */
async function replayRows(tx: Tx, rows: readonly ValidRow[], ctx: ChunkContext): Promise<ChunkResult> {
  const total = emptyResult();
  for (const row of rows) {
    let r: ChunkResult | null = null;
    for (let attempt = 0; attempt < 2 && !r; attempt++) {
      try {
        r = await withSavepoint(tx, () => applyRows(tx, [row], ctx));
      } catch (err) {
        const field = uniqueViolation(err);
        if (!field) throw err;
        if (attempt === 1) {
          const name = field === 'external_id' ? 'externalId' : 'email';
          r = {
            ...emptyResult(),
            failures: [[{ line: row.line, field: name, reason: `another write took this ${name} at the same time; import the row again` }]],
          };
        }
      }
    }
    total.created += r!.created;
    total.updated += r!.updated;
    total.unchanged += r!.unchanged;
    total.subscribed += r!.subscribed;
    total.failures.push(...r!.failures);
    total.notes.push(...r!.notes);
  }
  return total;
}

const emptyResult = (): ChunkResult => ({ created: 0, updated: 0, unchanged: 0, subscribed: 0, failures: [], notes: [] });

/*
 * A unique violation means another writer inserted one of these addresses since
 * the read, or one chunk moves an email from contact to contact in an order one
 * UPDATE cannot take: the chunk is then replayed one row at a time.
 */

/** Writes a chunk inside a transaction shared with other chunks (atomic import, dry run): a savepoint undoes a failed attempt. */
export async function writeChunkInTransaction(tx: Tx, rows: readonly ValidRow[], ctx: ChunkContext): Promise<ChunkResult> {
  if (rows.length === 0) return emptyResult();
  try {
    return await withSavepoint(tx, () => applyRows(tx, rows, ctx));
  } catch (err) {
    if (!uniqueViolation(err)) throw err;
  }
  return replayRows(tx, rows, ctx);
}

/** Writes a chunk in its own transaction (no savepoint: fewer round trips); a failed attempt is rolled back and replayed. */
export async function writeChunkAlone(db: Db, rows: readonly ValidRow[], ctx: ChunkContext, opts: TxOptions): Promise<ChunkResult> {
  if (rows.length === 0) return emptyResult();
  try {
    return await db.$transaction((tx) => applyRows(tx, rows, ctx), opts);
  } catch (err) {
    if (!uniqueViolation(err)) throw err;
  }
  return db.$transaction((tx) => replayRows(tx, rows, ctx), opts);
}

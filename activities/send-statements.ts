// The journey send's database work as named node-postgres statements on the
// Db's own pool (lib/db.ts sqlOf): it runs once per email of every run, where
// Prisma's CPU per query was most of the send's database work
// (`npm run bench:query-cost`). Timestamps are stored as UTC without a zone
// (Prisma's convention): read through `AT TIME ZONE 'UTC'`, written from ISO.
import type pg from 'pg';
import type { Prisma } from '@prisma/client';

type JsonValue = Prisma.JsonValue;

/** What rendering, consent and the policy need of the contact. */
export interface SendContact {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  tier: string | null;
  currency: string;
  locale: string;
  timeZone: string;
  attributes: JsonValue;
  tags: string[];
  subscriptions: JsonValue;
  lifetimeSpendCents: bigint;
  loyaltyPoints: number;
  purchaseCount: number;
  lastPurchaseAt: Date | null;
  createdAt: Date;
  deleted: boolean;
}

export type SendStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed' | 'deferred' | 'indeterminate';

/** The send row as far as the send needs it. */
export interface RecordedSend {
  id: string;
  status: SendStatus;
  templateKey: string;
  templateVersion: number;
  category: string;
  messageId: string;
}

const SEND_COLUMNS = `s.id::text AS send_id, s.status::text AS send_status, s.template_key, s.template_version, s.category, s.message_id`;

interface SendRow {
  send_id: string | null;
  send_status: SendStatus | null;
  template_key: string | null;
  template_version: number | null;
  category: string | null;
  message_id: string | null;
}

function sendOf(r: SendRow): RecordedSend | null {
  if (!r.send_id) return null;
  return {
    id: r.send_id,
    status: r.send_status as SendStatus,
    templateKey: r.template_key as string,
    templateVersion: r.template_version as number,
    category: r.category as string,
    messageId: r.message_id as string,
  };
}

// The contact, the send already recorded under the key (if any) and the
// template's latest version with its category, in one round trip.
const CONTEXT = `
  SELECT c.email, c.first_name, c.last_name, c.company, c.tier, c.currency, c.locale, c.time_zone, c.attributes, c.tags,
         c.subscriptions, c.lifetime_spend_cents::text AS lifetime_spend_cents, c.loyalty_points, c.purchase_count,
         c.last_purchase_at AT TIME ZONE 'UTC' AS last_purchase_at, c.created_at AT TIME ZONE 'UTC' AS created_at,
         c.deleted_at IS NOT NULL AS deleted, ${SEND_COLUMNS},
         t.name AS template_name, t.category AS template_category,
         (SELECT max(v.version) FROM template_versions v WHERE v.template_id = t.id) AS latest_version
  FROM contacts c
  LEFT JOIN message_sends s ON s.idempotency_key = $2
  LEFT JOIN templates t ON t.key = $3
  WHERE c.id = $1::uuid`;

interface ContextRow extends SendRow {
  email: string;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  tier: string | null;
  currency: string;
  locale: string;
  time_zone: string;
  attributes: JsonValue;
  tags: string[];
  subscriptions: JsonValue;
  lifetime_spend_cents: string;
  loyalty_points: number;
  purchase_count: number;
  last_purchase_at: Date | null;
  created_at: Date;
  deleted: boolean;
  template_name: string | null;
  template_category: string | null;
  latest_version: number | null;
}

/** A template's latest version as of now, with its name and category (which change without a new version). */
export interface LatestTemplate {
  version: number;
  name: string;
  category: string;
}

/**
 * The contact (null: no such contact), the send recorded under `key` (null:
 * none yet) and the latest version of template `templateKey` (null: none).
 */
export async function readSendContext(
  sql: pg.Pool,
  contactId: string,
  key: string,
  templateKey: string,
): Promise<{ contact: SendContact | null; send: RecordedSend | null; latest: LatestTemplate | null }> {
  const r = await sql.query<ContextRow>({ name: 'rapport-send-context', text: CONTEXT, values: [contactId, key, templateKey] });
  const row = r.rows[0];
  if (!row) return { contact: null, send: null, latest: null };
  const contact: SendContact = {
    id: contactId,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    company: row.company,
    tier: row.tier,
    currency: row.currency,
    locale: row.locale,
    timeZone: row.time_zone,
    attributes: row.attributes,
    tags: row.tags,
    subscriptions: row.subscriptions,
    lifetimeSpendCents: BigInt(row.lifetime_spend_cents),
    loyaltyPoints: row.loyalty_points,
    purchaseCount: row.purchase_count,
    lastPurchaseAt: row.last_purchase_at,
    createdAt: row.created_at,
    deleted: row.deleted,
  };
  const latest =
    row.latest_version === null || row.template_name === null || row.template_category === null
      ? null
      : { version: row.latest_version, name: row.template_name, category: row.template_category };
  return { contact, send: sendOf(row), latest };
}

export interface NewSend {
  key: string;
  contactId: string;
  templateKey: string;
  templateVersion: number;
  category: string;
  journeyKey: string | null;
  workflowId: string;
  stepId: string;
  toAddress: string;
  messageId: string;
}

// Recorded once per key: a second attempt (or a racing one) reads the winner's row.
const RECORD = `
  WITH ins AS (
    INSERT INTO message_sends (id, idempotency_key, contact_id, template_key, template_version, category, journey_key,
                               workflow_id, step_id, to_address, message_id, created_at, updated_at)
    VALUES (gen_random_uuid(), $1, $2::uuid, $3, $4::int, $5, $6, $7, $8, $9, $10, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC'))
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING *)
  SELECT ${SEND_COLUMNS}, true AS created FROM ins s
  UNION ALL
  SELECT ${SEND_COLUMNS}, false AS created FROM message_sends s WHERE s.idempotency_key = $1 AND NOT EXISTS (SELECT 1 FROM ins)`;

/** Records the send (status pending) unless one exists under its key; returns the row and whether this call made it. */
export async function recordSend(sql: pg.Pool, s: NewSend): Promise<{ send: RecordedSend; created: boolean }> {
  const values = [
    s.key,
    s.contactId,
    s.templateKey,
    s.templateVersion,
    s.category,
    s.journeyKey,
    s.workflowId,
    s.stepId,
    s.toAddress,
    s.messageId,
  ];
  const r = await sql.query<SendRow & { created: boolean }>({ name: 'rapport-send-record', text: RECORD, values });
  const row = r.rows[0];
  const send = row ? sendOf(row) : null;
  if (row && send) return { send, created: row.created };
  // A racing attempt committed its row after this statement's snapshot: read it now.
  const again = await sql.query<SendRow>({
    name: 'rapport-send-by-key',
    text: `SELECT ${SEND_COLUMNS} FROM message_sends s WHERE s.idempotency_key = $1`,
    values: [s.key],
  });
  const winner = again.rows[0] ? sendOf(again.rows[0]) : null;
  if (!winner) throw new Error('the send was neither recorded nor found under its key');
  return { send: winner, created: false };
}

/** The contact as consent and the policy see it, locked, with what applies to it. */
export interface LockedContact {
  email: string;
  subscriptions: JsonValue;
  timeZone: string;
  /** Suppression entries of its address for the send's category or `*`, oldest first. */
  suppressions: { category: string; reason: string }[];
  /** Marketing sends that count against the cap (email/policy.ts recentMarketingWhere); empty when `withRecent` is false. */
  recent: { status: string; sentAt: Date | null }[];
}

// The contact locked. On its own: a statement reads with the snapshot it
// started with, so what it reads beside a lock it had to wait for would miss
// the claim of the transaction it waited for.
const LOCK = `SELECT email, subscriptions, time_zone FROM contacts WHERE id = $1::uuid FOR UPDATE`;

// Read after the lock (a new snapshot): the suppression entries of the address
// and, when the cap is on, the contact's recent marketing sends.
const APPLIES = `
  SELECT
    COALESCE((SELECT json_agg(json_build_object('category', x.category, 'reason', x.reason) ORDER BY x.created_at)
              FROM suppressions x WHERE x.email = $1 AND x.category = ANY($2::text[])), '[]') AS suppressions,
    CASE WHEN $5::boolean THEN COALESCE((
      SELECT json_agg(json_build_object('status', m.status, 'sentAt', to_char(m.sent_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
      FROM message_sends m
      WHERE m.contact_id = $3::uuid AND m.id <> $4::uuid AND m.category <> 'transactional'
        AND ((m.status = 'sent' AND m.sent_at > ($6::timestamptz AT TIME ZONE 'UTC')) OR m.status = 'sending')), '[]')
    ELSE '[]' END AS recent`;

/** What the claim decided, written in the same transaction. */
export type ClaimWrite = { status: 'suppressed'; error: string } | { status: 'deferred'; error: string } | { status: 'sending' };

const WRITE = `
  UPDATE message_sends SET status = $2::send_status, error = $3,
    attempts = attempts + CASE WHEN $2 = 'sending' THEN 1 ELSE 0 END, updated_at = (now() AT TIME ZONE 'UTC')
  WHERE id = $1::uuid AND (status IN ('pending', 'deferred') OR $2 = 'suppressed')
  RETURNING 1`;

/**
 * Consent, policy and the claim in one transaction with the contact locked:
 * an unsubscribe that committed before is seen, and two sends to the same
 * contact at once are counted against the cap one after the other. `decide`
 * is pure (consent and policy rules); its write is applied only to a send
 * still pending or deferred (a suppression always). Returns null when the
 * contact is gone, else the decision and whether the write took.
 */
export async function claimSend<D extends ClaimWrite>(
  sql: pg.Pool,
  input: { contactId: string; sendId: string; category: string; withRecent: boolean; now: Date },
  decide: (c: LockedContact) => D,
): Promise<{ decision: D; contact: LockedContact; written: boolean } | null> {
  const client = await sql.connect();
  let ok = false;
  try {
    await client.query('BEGIN');
    const locked = await client.query<{ email: string; subscriptions: JsonValue; time_zone: string }>({
      name: 'rapport-send-lock',
      text: LOCK,
      values: [input.contactId],
    });
    const row = locked.rows[0];
    if (!row) {
      await client.query('COMMIT');
      ok = true;
      return null;
    }
    const weekAgo = new Date(input.now.getTime() - 7 * 86_400_000).toISOString();
    const applies = await client.query<{
      suppressions: { category: string; reason: string }[];
      recent: { status: string; sentAt: string | null }[];
    }>({
      name: 'rapport-send-applies',
      text: APPLIES,
      values: [row.email, [input.category, '*'], input.contactId, input.sendId, input.withRecent, weekAgo],
    });
    const { suppressions, recent } = applies.rows[0]!;
    const contact: LockedContact = {
      email: row.email,
      subscriptions: row.subscriptions,
      timeZone: row.time_zone,
      suppressions,
      recent: recent.map((x) => ({ status: x.status, sentAt: x.sentAt ? new Date(x.sentAt) : null })),
    };
    const decision = decide(contact);
    const w = await client.query({
      name: 'rapport-send-claim',
      text: WRITE,
      values: [input.sendId, decision.status, 'error' in decision ? decision.error : null],
    });
    await client.query('COMMIT');
    ok = true;
    return { decision, contact, written: (w.rowCount ?? 0) === 1 };
  } finally {
    if (!ok) await client.query('ROLLBACK').catch(() => undefined);
    // A connection whose rollback failed is dropped, not reused.
    client.release(!ok);
  }
}

const MARK_SENT = `
  UPDATE message_sends SET status = 'sent', subject = $2, provider_message_id = $3,
    sent_at = ($4::timestamptz AT TIME ZONE 'UTC'), error = NULL, updated_at = (now() AT TIME ZONE 'UTC')
  WHERE id = $1::uuid AND status IN ('sending', 'indeterminate')
  RETURNING 1`;

/** Marks a claimed send sent (once); true when this call did. */
export async function markSent(sql: pg.Pool, sendId: string, sent: { subject: string; response: string; at: Date }): Promise<boolean> {
  const r = await sql.query({
    name: 'rapport-send-sent',
    text: MARK_SENT,
    values: [sendId, sent.subject, sent.response, sent.at.toISOString()],
  });
  return (r.rowCount ?? 0) === 1;
}

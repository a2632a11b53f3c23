// One chunk of a newsletter broadcast: up to `limit` recipients in a few
// set-based statements, whatever the chunk size, instead of ~20 round trips per
// recipient. The guarantees are those of a journey send (activities/send-email.ts),
// keyed the same way (broadcast workflow, contact):
// 1. claim the due rows (one UPDATE ... FOR UPDATE SKIP LOCKED on the
//    (broadcast, status, contact) index: rows already done are never scanned),
//    leased in `not_before` so no other chunk takes them meanwhile;
// 2. read what rendering needs for all of them: contacts, earlier sends under
//    their keys, purchases and interests, the templates (4-5 queries at once);
// 3. render every email (compiled template; tracking; List-Unsubscribe) before
//    anything is claimed: a failure here leaves every row as it was;
// 4. one transaction with the contacts locked: consent, the suppression list,
//    the frequency cap, quiet hours, per-domain limits, and the send rows
//    inserted or moved to `sending` (claimed before SMTP), suppressed or
//    deferred, and those recipients marked;
// 5. SMTP with bounded concurrency over the pooled transport;
// 6. completions in one transaction per group (FLUSH_EVERY, FLUSH_AFTER_MS): sends
//    `sent` (only from `sending`/`indeterminate`: once), the newsletter counter
//    and its events, failures, hard bounces, and the recipient rows.
// A send found `sending` (an attempt died during SMTP) is never resent: it
// becomes `indeterminate` and its recipient `failed`. A send found already
// recorded only has its recipient row marked.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { Prisma, type Contact, type MessageSend } from '@prisma/client';
import { buildRenderContext, consentLinks, loadCatalog, renderFactsOf } from '../email/context';
import { NO_POLICY, deferralFor, recentMarketingWhere } from '../email/policy';
import { buildMime } from '../email/mime';
import type { PrepareJob } from '../email/prepare';
import { inlinePreparer } from '../email/prepare-pool';
import { consentBlock } from '../email/suppression';
import { latestTemplate, templateVersion, type StoredTemplate } from '../email/template-store';
import { broadcastChunks, emailSends } from '../lib/metrics';
import { redactEmails } from '../lib/redact';
import {
  countNewslettersSent,
  newsletterEventPolicy,
  NEWSLETTER_CATEGORY,
  type NewsletterEventPolicy,
  type NewsletterSent,
} from '../newsletters/counter';
import { addressDomain } from '../lib/mail-domain';
import { domainLimitsSchema, reserveDomainSlots } from '../newsletters/domain-limits';
import type { BroadcastCounts } from '../newsletters/broadcast-contract';
import { broadcastCounts, type RecipientStatus } from '../newsletters/recipients';
import type { ActivityDeps } from './deps';
import { isHardBounce, messageIdFor, safeToRetry, sendCategory, sendKey, unsubscribeHeaders, type SmtpError } from './send-email';

export type { RecipientStatus };
export type Variant = 'regular' | 'reengagement';

export type { BroadcastCounts };
export { broadcastCounts };

export interface ChunkInput {
  broadcastId: string;
  limit: number;
  /** The workflow's clock (ISO); decisions use the later of it and the activity's. */
  now?: string;
  /** SMTP conversations at once in this chunk (default 8; the transport's pool bounds connections). */
  concurrency?: number;
}

export interface BatchResult {
  /** Recipients claimed and decided by this chunk. */
  processed: number;
  /** SMTP conversations started (what the rate limit counts). */
  smtpSends?: number;
  counts: BroadcastCounts;
  /** When the earliest deferred recipient may be tried again (ISO), if none is due now. */
  nextDueAt: string | null;
}

/** The reengagement variant: a never-clicker whose 5th unclicked newsletter in a row this would be. */
export function chooseVariant(c: { lastClickAt: Date | null; newslettersSinceLastClick: number } | null): Variant {
  return c && c.lastClickAt === null && c.newslettersSinceLastClick === 4 ? 'reengagement' : 'regular';
}

type Db = ActivityDeps['db'];

/**
 * The claim of up to `limit` due recipients, in contact order, after `after`
 * if given (exported for bench:newsletter's EXPLAIN). Rows that left `pending`
 * keep index entries in its range until vacuum: a claim from the start of the
 * range visits every one of them (80 ms at 50,000 sent), one after the last
 * claim does not.
 */
export function claimSql(broadcastId: string, limit: number, now: Date, lease: Date, after?: string): Prisma.Sql {
  return Prisma.sql`
      UPDATE "broadcast_recipients" r SET "not_before" = (${lease.toISOString()}::timestamptz AT TIME ZONE 'UTC'), "updated_at" = now()
      FROM (
        SELECT "contact_id" FROM "broadcast_recipients"
        WHERE "broadcast_id" = ${broadcastId}::uuid AND "status" = 'pending'
          AND ("not_before" IS NULL OR "not_before" <= (${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'))
          ${after ? Prisma.sql`AND "contact_id" > ${after}::uuid` : Prisma.empty}
        ORDER BY "contact_id" LIMIT ${limit}::int FOR UPDATE SKIP LOCKED
      ) due
      WHERE r."broadcast_id" = ${broadcastId}::uuid AND r."contact_id" = due."contact_id"
      RETURNING r."contact_id"::text AS contact_id, r."variant"`;
}

/** Tells Temporal the chunk is alive (a dead worker's chunk is retried after the heartbeat timeout). */
function beat(): void {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return; // called directly (tests), not as an activity
  }
  ctx.heartbeat();
}

/**
 * How long a claimed recipient is kept from other chunks. The attempt renews
 * the lease of the rows it still holds every CLAIM_RENEW_MS while it lives, so a
 * slow attempt keeps them, and a killed worker's rows are due again within this
 * of its death (about when Temporal retries the chunk after its 1-minute
 * heartbeat timeout), not after the longest an attempt may take. The lease only
 * spreads the work: exactly once rests on the send rows (`sending` before SMTP).
 */
export const CLAIM_LEASE_MS = 2 * 60_000;
export const CLAIM_RENEW_MS = 30_000;
/** A recipient whose SMTP attempt failed before the message could be accepted is tried again after this. */
const RETRY_AFTER_MS = 30_000;
/**
 * Completions are recorded in groups of this many, or once the oldest waited
 * this long, and at the end of the chunk: a crash leaves at most that much
 * delivered mail unrecorded (`indeterminate`, never resent).
 */
const FLUSH_EVERY = 100;
const FLUSH_AFTER_MS = 1000;
const DEFAULT_CONCURRENCY = 8;

const later = (iso?: string) => new Date(Math.max(Date.now(), iso ? Date.parse(iso) || 0 : 0));
const utc = (d: Date | null) => (d ? d.toISOString() : null);

/** A recipient row's new state. */
interface RecipientMark {
  contactId: string;
  status: RecipientStatus;
  variant: Variant | null;
  sendId: string | null;
  notBefore: Date | null;
  error: string | null;
}

interface Candidate {
  contactId: string;
  variant: Variant;
  template: StoredTemplate;
  category: string;
  /** The earlier send under this key, if any (then its id, version and Message-ID). */
  existing: MessageSend | null;
  sendId: string;
  key: string;
  messageId: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  /** The built message, valid while the recipient's address is still `to` (null: build at send time). */
  mime: { raw: Buffer; envelope: { from: string; to: string[] }; to: string } | null;
}

interface Claimed extends Candidate {
  to: string;
}

type Completion =
  | { c: Claimed; kind: 'sent'; response: string; at: Date }
  | { c: Claimed; kind: 'retry' | 'failed' | 'bounced' | 'indeterminate'; error: string };

function variantOfEarlier(send: MessageSend, b: { templateKey: string; reengagementTemplate: string }): Variant {
  return send.templateKey === b.reengagementTemplate && b.templateKey !== b.reengagementTemplate ? 'reengagement' : 'regular';
}

export function createChunkSender(deps: ActivityDeps) {
  const { db, log } = deps;
  const policy = deps.policy ?? NO_POLICY;
  const preparer = deps.preparer ?? inlinePreparer;
  const { leaseMs, renewMs } = deps.claimLease ?? { leaseMs: CLAIM_LEASE_MS, renewMs: CLAIM_RENEW_MS };

  async function markRecipients(tx: Db | Prisma.TransactionClient, broadcastId: string, marks: RecipientMark[]): Promise<void> {
    if (marks.length === 0) return;
    // A final outcome is what the recipient got, whatever happened to the row
    // meanwhile (a cancel); a deferral or a release only applies to a pending row.
    await tx.$executeRaw`
      UPDATE "broadcast_recipients" r SET "status" = u.status, "variant" = u.variant, "send_id" = u.send_id,
        "not_before" = (u.not_before::timestamptz AT TIME ZONE 'UTC'), "error" = u.error, "updated_at" = now()
      FROM unnest(${marks.map((m) => m.contactId)}::uuid[], ${marks.map((m) => m.status)}::text[], ${marks.map((m) => m.variant)}::text[],
                  ${marks.map((m) => m.sendId)}::uuid[], ${marks.map((m) => utc(m.notBefore))}::text[], ${marks.map((m) => m.error)}::text[])
        AS u(contact_id, status, variant, send_id, not_before, error)
      WHERE r."broadcast_id" = ${broadcastId}::uuid AND r."contact_id" = u.contact_id AND (u.status <> 'pending' OR r."status" = 'pending')`;
  }

  async function nextDueAt(broadcastId: string): Promise<string | null> {
    const [row] = await db.$queryRaw<{ at: Date | null }[]>`
      SELECT min("not_before") AS at FROM "broadcast_recipients" WHERE "broadcast_id" = ${broadcastId}::uuid AND "status" = 'pending'`;
    return row?.at ? row.at.toISOString() : null;
  }

  /**
   * Per broadcast, the last contact claimed in this process: the next claim
   * starts after it, and from the start of the range only when that finds too
   * few (rows released, retried or deferred behind it, or left to other
   * workers). Only where to look first: any row still due is claimed in the end.
   */
  const claimedUpTo = new Map<string, string>();
  async function claim(broadcastId: string, limit: number, now: Date, lease: Date) {
    type Row = { contact_id: string; variant: string | null };
    const lastOf = (rows: Row[]) => rows.reduce<string | null>((m, r) => (m === null || r.contact_id > m ? r.contact_id : m), null);
    const after = claimedUpTo.get(broadcastId);
    const rows = await db.$queryRaw<Row[]>(claimSql(broadcastId, limit, now, lease, after));
    let upTo = lastOf(rows);
    if (after && rows.length < limit) {
      // Past the end: from the start again, and on from there next time.
      const wrapped = await db.$queryRaw<Row[]>(claimSql(broadcastId, limit - rows.length, now, lease));
      rows.push(...wrapped);
      upTo = lastOf(wrapped) ?? upTo;
    }
    if (claimedUpTo.size > 1000) claimedUpTo.clear();
    if (upTo) claimedUpTo.set(broadcastId, upTo);
    else claimedUpTo.delete(broadcastId);
    return rows;
  }

  async function sendChunk(input: ChunkInput): Promise<BatchResult> {
    const now = later(input.now);
    const b = await db.broadcast.findUniqueOrThrow({ where: { id: input.broadcastId } });
    let lease = new Date(now.getTime() + leaseMs);
    const claimedRows = await claim(b.id, input.limit, now, lease);
    if (claimedRows.length === 0) {
      const counts = await broadcastCounts(db, b.id);
      return { processed: 0, smtpSends: 0, counts, nextDueAt: counts.remaining > 0 ? await nextDueAt(b.id) : null };
    }
    const ids = claimedRows.map((r) => r.contact_id);
    // Rows still pending under this attempt's lease get a fresh one; rows already
    // marked (sent, skipped, deferred with their own time) are not touched.
    let renewing: Promise<unknown> = Promise.resolve();
    const renewal = setInterval(() => {
      // Never shorter than the lease held (a chunk may run on a workflow clock ahead of this one).
      const next = new Date(Math.max(Date.now() + leaseMs, lease.getTime()));
      renewing = db.$executeRaw`
        UPDATE "broadcast_recipients" SET "not_before" = (${next.toISOString()}::timestamptz AT TIME ZONE 'UTC')
        WHERE "broadcast_id" = ${b.id}::uuid AND "contact_id" = ANY(${ids}::uuid[]) AND "status" = 'pending'
          AND "not_before" = (${lease.toISOString()}::timestamptz AT TIME ZONE 'UTC')`.then(
        () => (lease = next),
        (err: unknown) => log.warn({ broadcastId: b.id, err }, 'could not renew the lease of claimed recipients'),
      );
    }, renewMs);
    renewal.unref();
    const stopRenewing = async () => {
      clearInterval(renewal);
      await renewing;
    };
    try {
      const smtpSends = await processChunk(b, claimedRows, now, input.concurrency ?? DEFAULT_CONCURRENCY);
      await stopRenewing();
      const counts = await broadcastCounts(db, b.id);
      broadcastChunks.inc({ outcome: 'ok' });
      return { processed: ids.length, smtpSends, counts, nextDueAt: null };
    } catch (err) {
      broadcastChunks.inc({ outcome: 'error' });
      await stopRenewing();
      // Give back what this attempt still holds (the sends themselves are exactly
      // once, whatever happened), then let Temporal retry.
      await db.$executeRaw`
        UPDATE "broadcast_recipients" SET "not_before" = NULL
        WHERE "broadcast_id" = ${b.id}::uuid AND "contact_id" = ANY(${ids}::uuid[]) AND "status" = 'pending'
          AND "not_before" = (${lease.toISOString()}::timestamptz AT TIME ZONE 'UTC')`.catch((releaseErr: unknown) =>
        log.warn({ broadcastId: b.id, err: releaseErr }, 'could not release claimed recipients; they are retried when their lease ends'),
      );
      throw err;
    }
  }

  async function processChunk(
    b: { id: string; workflowId: string; templateKey: string; reengagementTemplate: string; domainRatePerMinute: Prisma.JsonValue },
    claimedRows: { contact_id: string; variant: string | null }[],
    now: Date,
    concurrency: number,
  ): Promise<number> {
    const ids = claimedRows.map((r) => r.contact_id);
    const keyOf = (contactId: string) => sendKey(b.workflowId, contactId);
    const templates = new Map<string, Promise<StoredTemplate | null>>();
    const template = (key: string, version?: number) => {
      const k = `${key}@${version ?? 'latest'}`;
      let t = templates.get(k);
      if (!t) templates.set(k, (t = version === undefined ? latestTemplate(db, key) : templateVersion(db, key, version)));
      return t;
    };
    template(b.templateKey).catch(() => null); // fetched early; awaited where used
    if (b.reengagementTemplate !== b.templateKey) template(b.reengagementTemplate).catch(() => null);
    const [contacts, earlier, facts, eventPolicy] = await Promise.all([
      db.contact.findMany({ where: { id: { in: ids } } }),
      db.messageSend.findMany({ where: { idempotencyKey: { in: ids.map(keyOf) } } }),
      renderFactsOf(db, ids, deps.catalog, now),
      newsletterEventPolicy(db, now),
    ]);
    const contactById = new Map<string, Contact>(contacts.map((c) => [c.id, c]));
    const sendByKey = new Map(earlier.map((s) => [s.idempotencyKey, s]));

    // Decide what needs no email at all, and render the rest.
    const marks: RecipientMark[] = [];
    const interrupted: MessageSend[] = [];
    const unrendered: Omit<Candidate, 'subject' | 'html' | 'text' | 'mime'>[] = [];
    const jobs: PrepareJob[] = [];
    const templateList: StoredTemplate[] = [];
    const templateIndexOf = new Map<StoredTemplate, number>();
    for (const row of claimedRows) {
      const contact = contactById.get(row.contact_id);
      if (!contact || contact.deletedAt) {
        marks.push({
          contactId: row.contact_id,
          status: 'skipped',
          variant: row.variant as Variant | null,
          sendId: null,
          notBefore: null,
          error: 'skipped: contact deleted',
        });
        continue;
      }
      const key = keyOf(contact.id);
      const existing = sendByKey.get(key) ?? null;
      // Queued by a chunk that died before its SMTP began: as good as pending.
      if (
        existing &&
        existing.status !== 'pending' &&
        existing.status !== 'deferred' &&
        !(existing.status === 'sending' && existing.queued)
      ) {
        const variant = variantOfEarlier(existing, b);
        if (existing.status === 'sending') {
          interrupted.push(existing);
          marks.push({
            contactId: contact.id,
            status: 'failed',
            variant,
            sendId: existing.id,
            notBefore: null,
            error: 'indeterminate: interrupted earlier; not resent',
          });
        } else {
          const status: RecipientStatus = existing.status === 'sent' ? 'sent' : existing.status === 'suppressed' ? 'suppressed' : 'failed';
          marks.push({
            contactId: contact.id,
            status,
            variant,
            sendId: existing.id,
            notBefore: null,
            error: status === 'sent' ? null : `${existing.status}: already recorded`,
          });
        }
        continue;
      }
      // A send made before decides: its template is what the recipient gets.
      const variant = existing ? variantOfEarlier(existing, b) : ((row.variant as Variant | null) ?? chooseVariant(contact));
      const t = existing
        ? await template(existing.templateKey, existing.templateVersion)
        : await template(variant === 'reengagement' ? b.reengagementTemplate : b.templateKey);
      if (!t) {
        const what = existing
          ? `template "${existing.templateKey}" v${existing.templateVersion} is gone`
          : `unknown template "${variant === 'reengagement' ? b.reengagementTemplate : b.templateKey}"`;
        throw ApplicationFailure.nonRetryable(what, 'UnknownTemplate');
      }
      const category = existing ? existing.category : sendCategory(t.category);
      const sendId = existing?.id ?? randomUUID();
      const links = consentLinks(deps, contact.id, category);
      const f = facts.get(contact.id);
      const messageId = existing?.messageId ?? messageIdFor(b.workflowId, contact.id, deps.mailFrom);
      const headers = unsubscribeHeaders(deps, links, category);
      let templateIndex = templateIndexOf.get(t);
      if (templateIndex === undefined) templateIndexOf.set(t, (templateIndex = templateList.push(t) - 1));
      const { catalog: _catalog, ...context } = buildRenderContext({
        contact,
        purchasedSkus: f?.purchasedSkus,
        interests: f?.interests,
        catalog: [],
        links,
        category,
        now,
      });
      jobs.push({
        template: templateIndex,
        context,
        contactId: contact.id,
        sendId,
        mail: { from: t.from ?? deps.mailFrom, to: contact.email, replyTo: t.replyTo, messageId, headers },
      });
      unrendered.push({ contactId: contact.id, variant, template: t, category, existing, sendId, key, messageId, headers });
    }

    // Render, track and build every message (on the render threads when there are any) before anything is claimed.
    const prepared = await preparer.prepare({
      templates: templateList.map((t) => ({ key: t.key, version: t.version, subject: t.subject, preheader: t.preheader, mjml: t.mjml })),
      catalog: deps.catalog ?? loadCatalog(),
      publicUrl: deps.publicUrl,
      linkSecret: deps.linkSecret,
      jobs,
    });
    const candidates: Candidate[] = unrendered.map((u, i) => {
      const p = prepared[i];
      if (!p?.ok) {
        const err = new Error(p ? p.message : 'the render threads answered fewer messages than asked');
        err.name = p ? p.name : 'Error';
        throw err;
      }
      const mime =
        p.raw && p.envelope
          ? { raw: Buffer.from(p.raw.buffer, p.raw.byteOffset, p.raw.byteLength), envelope: p.envelope, to: jobs[i]!.mail.to }
          : null;
      return { ...u, subject: p.subject, html: p.html, text: p.text, mime };
    });

    const domainLimits = domainLimitsSchema.catch({}).parse(b.domainRatePerMinute);
    const claimed = await db.$transaction(
      async (tx) => {
        if (interrupted.length > 0) {
          await tx.$executeRaw`
          UPDATE "message_sends" SET "status" = 'indeterminate', "error" = 'an earlier attempt was interrupted during SMTP; not resent', "updated_at" = (now() AT TIME ZONE 'UTC')
          WHERE "id" = ANY(${interrupted.map((s) => s.id)}::uuid[]) AND "status" = 'sending'`;
          log.warn({ broadcastId: b.id, sends: interrupted.length }, 'sends interrupted earlier; not resending');
        }
        const out: Claimed[] = [];
        if (candidates.length > 0) {
          // Consent, policy and the claim with the contacts locked (in id order: two
          // chunks of different broadcasts never deadlock): an unsubscribe that
          // committed before is seen, and a journey sending to the same contact
          // meanwhile is counted against the cap one after the other.
          const fresh = await tx.$queryRaw<
            { id: string; email: string; subscriptions: Prisma.JsonValue; time_zone: string; deleted: boolean }[]
          >`
          SELECT "id"::text AS id, "email", "subscriptions", "time_zone", "deleted_at" IS NOT NULL AS deleted FROM "contacts"
          WHERE "id" = ANY(${candidates.map((c) => c.contactId)}::uuid[]) ORDER BY "id" FOR UPDATE`;
          const freshById = new Map(fresh.map((f) => [f.id, f]));
          const categories = [...new Set(candidates.map((c) => c.category)), '*'];
          const suppressed = await tx.$queryRaw<{ email: string; category: string; reason: string }[]>`
          SELECT "email", "category", "reason" FROM "suppressions"
          WHERE "email" = ANY(${fresh.map((f) => f.email)}::text[]) AND "category" = ANY(${categories}::text[]) ORDER BY "created_at"`;
          const recent =
            policy.frequencyCapPer7d > 0
              ? await tx.messageSend.findMany({
                  where: recentMarketingWhere(
                    candidates.map((c) => c.contactId),
                    candidates.flatMap((c) => (c.existing ? [c.existing.id] : [])),
                    now,
                  ),
                  select: { contactId: true, status: true, sentAt: true },
                })
              : [];
          const recentBy = new Map<string, { status: string; sentAt: Date | null }[]>();
          for (const r of recent) recentBy.set(r.contactId, [...(recentBy.get(r.contactId) ?? []), r]);

          type Decision = {
            c: Candidate;
            to: string;
            status: 'sending' | 'suppressed' | 'deferred' | 'skipped';
            error: string | null;
            until: Date | null;
          };
          const decisions: Decision[] = [];
          for (const c of candidates) {
            const f = freshById.get(c.contactId);
            if (!f || f.deleted) {
              decisions.push({ c, to: '', status: 'skipped', error: 'skipped: contact deleted', until: null });
              continue;
            }
            const blocked = consentBlock(
              { subscriptions: f.subscriptions },
              c.category,
              suppressed.filter((x) => x.email === f.email),
            );
            if (blocked) {
              decisions.push({ c, to: f.email, status: 'suppressed', error: blocked, until: null });
              continue;
            }
            const deferral =
              c.category === 'transactional' ? null : deferralFor(recentBy.get(c.contactId) ?? [], { timeZone: f.time_zone, now, policy });
            if (deferral) {
              decisions.push({
                c,
                to: f.email,
                status: 'deferred',
                error: `deferred until ${deferral.until.toISOString()}: ${deferral.reason}`,
                until: deferral.until,
              });
              continue;
            }
            decisions.push({ c, to: f.email, status: 'sending', error: null, until: null });
          }
          // Relays' per-domain limits: the slots this minute not yet taken by any
          // broadcast; the rest wait for the next minute.
          const sending = decisions.filter((d) => d.status === 'sending');
          const limited = sending.filter((d) => Object.hasOwn(domainLimits, addressDomain(d.to)));
          if (limited.length > 0) {
            const { granted, nextWindow } = await reserveDomainSlots(
              tx,
              limited.map((d) => addressDomain(d.to)),
              domainLimits,
              now,
            );
            for (const d of limited) {
              const domain = addressDomain(d.to);
              const left = granted.get(domain) ?? 0;
              if (left > 0) granted.set(domain, left - 1);
              else
                Object.assign(d, {
                  status: 'deferred',
                  until: nextWindow,
                  error: `deferred until ${nextWindow.toISOString()}: ${domain} limit of ${domainLimits[domain]} a minute`,
                });
            }
          }

          const toRecord = decisions.filter((d) => d.status !== 'skipped');
          const fresh_ = toRecord.filter((d) => !d.c.existing);
          const moved = new Set<string>();
          if (fresh_.length > 0) {
            const rows = await tx.$queryRaw<{ id: string }[]>`
            INSERT INTO "message_sends" ("id", "idempotency_key", "contact_id", "template_key", "template_version", "category", "workflow_id", "step_id",
                                         "to_address", "status", "attempts", "queued", "message_id", "error", "created_at", "updated_at")
            SELECT u.id, u.key, u.contact_id, u.template_key, u.template_version, u.category, ${b.workflowId}, u.contact_id::text,
                   u.to_address, u.status::"send_status", 0, u.status = 'sending', u.message_id, u.error,
                   (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
            FROM unnest(${fresh_.map((d) => d.c.sendId)}::uuid[], ${fresh_.map((d) => d.c.key)}::text[], ${fresh_.map((d) => d.c.contactId)}::uuid[],
                        ${fresh_.map((d) => d.c.template.key)}::text[], ${fresh_.map((d) => d.c.template.version)}::int[], ${fresh_.map((d) => d.c.category)}::text[],
                        ${fresh_.map((d) => d.to)}::text[], ${fresh_.map((d) => d.status)}::text[], ${fresh_.map((d) => d.c.messageId)}::text[], ${fresh_.map((d) => d.error)}::text[])
              AS u(id, key, contact_id, template_key, template_version, category, to_address, status, message_id, error)
            ON CONFLICT ("idempotency_key") DO NOTHING
            RETURNING "id"::text AS id`;
            for (const r of rows) moved.add(r.id);
          }
          const old = toRecord.filter((d) => d.c.existing);
          if (old.length > 0) {
            // Only from pending, deferred or queued: another attempt that got there first keeps it.
            const rows = await tx.$queryRaw<{ id: string }[]>`
            UPDATE "message_sends" m SET "status" = u.status::"send_status", "error" = u.error, "updated_at" = (now() AT TIME ZONE 'UTC'),
              "queued" = u.status = 'sending'
            FROM unnest(${old.map((d) => d.c.sendId)}::uuid[], ${old.map((d) => d.status)}::text[], ${old.map((d) => d.error)}::text[]) AS u(id, status, error)
            WHERE m."id" = u.id AND (m."status" IN ('pending', 'deferred') OR (m."status" = 'sending' AND m."queued"))
            RETURNING m."id"::text AS id`;
            for (const r of rows) moved.add(r.id);
          }
          for (const d of decisions) {
            const c = d.c;
            if (d.status === 'skipped')
              marks.push({ contactId: c.contactId, status: 'skipped', variant: c.variant, sendId: null, notBefore: null, error: d.error });
            // Taken by a concurrent attempt meanwhile: it records the outcome; the lease keeps the row until then.
            else if (!moved.has(c.sendId)) continue;
            else if (d.status === 'suppressed')
              marks.push({
                contactId: c.contactId,
                status: 'suppressed',
                variant: c.variant,
                sendId: c.sendId,
                notBefore: null,
                error: `suppressed: ${redactEmails(d.error ?? '')}`,
              });
            else if (d.status === 'deferred')
              marks.push({
                contactId: c.contactId,
                status: 'pending',
                variant: c.variant,
                sendId: c.sendId,
                notBefore: d.until,
                error: `deferred: ${d.error ?? ''}`,
              });
            else out.push({ ...c, to: d.to });
          }
        }
        await markRecipients(tx, b.id, marks);
        return out;
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
    // Decisions that needed no SMTP, counted once the transaction holding them committed.
    for (const m of marks) {
      const outcome =
        m.status === 'pending'
          ? 'deferred'
          : m.error?.startsWith('indeterminate')
            ? 'indeterminate'
            : m.error?.endsWith('already recorded')
              ? null
              : m.status;
      if (outcome) emailSends.inc({ kind: 'newsletter', outcome });
    }

    if (claimed.length === 0) return 0;
    await sendAll(b.id, claimed, concurrency, now, eventPolicy);
    return claimed.length;
  }

  /**
   * SMTP for every claimed send, `concurrency` at a time; completions recorded
   * in groups as they come. The chunk's sends are `sending` and `queued`; each
   * wave of `concurrency` is un-queued (one statement) just before its SMTP
   * begins, one wave ahead, so a crash leaves at most two waves `sending`
   * without knowing whether they went out, and the queued rest safe to send.
   */
  async function sendAll(
    broadcastId: string,
    claimed: Claimed[],
    concurrency: number,
    now: Date,
    eventPolicy: NewsletterEventPolicy,
  ): Promise<void> {
    const done: Completion[] = [];
    let flushing: Promise<void> = Promise.resolve();
    const flush = () => {
      const group = done.splice(0, done.length);
      if (group.length === 0) return flushing;
      flushing = flushing.then(() => recordCompletions(broadcastId, group, eventPolicy));
      return flushing;
    };
    let oldest = 0;
    let next = 0;
    const ready: Claimed[] = [];
    let claiming: Promise<void> | null = null;
    const claimWave = (): Promise<void> => {
      claiming ??= (async () => {
        const wave = claimed.slice(next, next + concurrency);
        next += wave.length;
        const rows = await db.$queryRaw<{ id: string }[]>`
          UPDATE "message_sends" SET "queued" = false, "attempts" = "attempts" + 1, "updated_at" = (now() AT TIME ZONE 'UTC')
          WHERE "id" = ANY(${wave.map((c) => c.sendId)}::uuid[]) AND "status" = 'sending' AND "queued"
          RETURNING "id"::text AS id`;
        // A send no longer queued was taken by another attempt: it records the outcome.
        const mine = new Set(rows.map((r) => r.id));
        ready.push(...wave.filter((c) => mine.has(c.sendId)));
      })().finally(() => {
        claiming = null;
      });
      return claiming;
    };
    const workers = Array.from({ length: Math.min(concurrency, claimed.length) }, async () => {
      for (;;) {
        if (ready.length < concurrency && next < claimed.length && !claiming) void claimWave().catch(() => undefined);
        const c = ready.shift();
        if (!c) {
          if (claiming) await claiming;
          else if (next < claimed.length) await claimWave();
          else break;
          continue;
        }
        const completion = await smtp(c, now);
        if (done.length === 0) oldest = Date.now();
        done.push(completion);
        if (done.length >= FLUSH_EVERY || Date.now() - oldest >= FLUSH_AFTER_MS) {
          beat();
          void flush().catch(() => undefined);
        }
      }
    });
    await Promise.all(workers);
    await flush();
  }

  async function smtp(c: Claimed, now: Date): Promise<Completion> {
    try {
      const fields = {
        from: c.template.from ?? deps.mailFrom,
        to: c.to,
        replyTo: c.template.replyTo ?? undefined,
        subject: c.subject,
        html: c.html,
        text: c.text,
        messageId: c.messageId,
        headers: c.headers,
      };
      // Built when rendered (email/prepare.ts, email/mime.ts) unless the address changed since; nodemailer's composer only for what it alone handles.
      const built = c.mime && c.mime.to === c.to ? { raw: c.mime.raw, envelope: c.mime.envelope } : buildMime(fields);
      const info = await deps.mailer.sendMail(built ?? fields);
      return { c, kind: 'sent', response: String(info.response ?? ''), at: new Date(Math.max(Date.now(), now.getTime())) };
    } catch (err) {
      const e = err as SmtpError;
      const why = e.response ?? e.message ?? 'SMTP error';
      if (safeToRetry(err)) return { c, kind: 'retry', error: `will retry: ${why}` };
      if (isHardBounce(err)) return { c, kind: 'bounced', error: `hard bounce: ${why}` };
      if (typeof e.responseCode === 'number' && e.responseCode >= 500) return { c, kind: 'failed', error: `rejected: ${why}` };
      return { c, kind: 'indeterminate', error: e.message ?? 'SMTP error after the message was sent' };
    }
  }

  /** One transaction for a group of completions. The send rows keep the full SMTP text; recipient rows and logs get it redacted. */
  async function recordCompletions(broadcastId: string, group: Completion[], eventPolicy: NewsletterEventPolicy): Promise<void> {
    const sent = group.filter((g): g is Extract<Completion, { kind: 'sent' }> => g.kind === 'sent');
    const other = group.filter((g): g is Exclude<Completion, { kind: 'sent' }> => g.kind !== 'sent');
    const dispatch = await db.$transaction(
      async (tx) => {
        let toDispatch = 0;
        if (sent.length > 0) {
          const marked = await tx.$queryRaw<{ id: string }[]>`
          UPDATE "message_sends" m SET "status" = 'sent', "subject" = u.subject, "provider_message_id" = u.response,
            "sent_at" = (u.at::timestamptz AT TIME ZONE 'UTC'), "error" = NULL, "updated_at" = (now() AT TIME ZONE 'UTC')
          FROM unnest(${sent.map((s) => s.c.sendId)}::uuid[], ${sent.map((s) => s.c.subject)}::text[], ${sent.map((s) => s.response)}::text[], ${sent.map((s) => s.at.toISOString())}::text[])
            AS u(id, subject, response, at)
          WHERE m."id" = u.id AND m."status" IN ('sending', 'indeterminate')
          RETURNING m."id"::text AS id`;
          const moved = new Set(marked.map((r) => r.id));
          const newsletters: NewsletterSent[] = sent
            .filter((s) => moved.has(s.c.sendId) && s.c.category === NEWSLETTER_CATEGORY)
            .map((s) => ({
              contactId: s.c.contactId,
              sendId: s.c.sendId,
              templateKey: s.c.template.key,
              broadcastId,
              variant: s.c.variant,
              at: s.at,
            }));
          toDispatch = await countNewslettersSent(tx, newsletters, eventPolicy);
        }
        if (other.length > 0) {
          const status = (g: (typeof other)[number]) => (g.kind === 'retry' ? 'pending' : g.kind === 'bounced' ? 'failed' : g.kind);
          await tx.$executeRaw`
          UPDATE "message_sends" m SET "status" = u.status::"send_status", "error" = u.error, "updated_at" = (now() AT TIME ZONE 'UTC')
          FROM unnest(${other.map((g) => g.c.sendId)}::uuid[], ${other.map(status)}::text[], ${other.map((g) => g.error)}::text[]) AS u(id, status, error)
          WHERE m."id" = u.id AND m."status" = 'sending'`;
          const bounced = other.filter((g) => g.kind === 'bounced').map((g) => g.c.to.trim().toLowerCase());
          if (bounced.length > 0) {
            await tx.$executeRaw`
            INSERT INTO "suppressions" ("id", "email", "category", "reason", "source", "created_at")
            SELECT gen_random_uuid(), e, '*', 'hard_bounce', 'smtp', (now() AT TIME ZONE 'UTC') FROM unnest(${bounced}::text[]) AS e
            ON CONFLICT ("email", "category") DO NOTHING`;
          }
        }
        const retryAt = new Date(Date.now() + RETRY_AFTER_MS);
        await markRecipients(
          tx,
          broadcastId,
          group.map((g): RecipientMark => {
            const base = { contactId: g.c.contactId, variant: g.c.variant, sendId: g.c.sendId };
            if (g.kind === 'sent') return { ...base, status: 'sent', notBefore: null, error: null };
            if (g.kind === 'retry') return { ...base, status: 'pending', notBefore: retryAt, error: redactEmails(g.error) };
            return {
              ...base,
              status: 'failed',
              notBefore: null,
              error: `${g.kind === 'bounced' ? 'failed' : g.kind}: ${redactEmails(g.error)}`,
            };
          }),
        );
        return toDispatch;
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
    emailSends.inc({ kind: 'newsletter', outcome: 'sent' }, sent.length);
    for (const g of other) emailSends.inc({ kind: 'newsletter', outcome: g.kind });
    for (const g of other) {
      log.warn(
        { sendId: g.c.sendId, outcome: g.kind, reason: redactEmails(g.error) },
        g.kind === 'retry' ? 'SMTP failed before the message was accepted; will retry' : 'newsletter send failed',
      );
    }
    if (dispatch > 0) deps.onEventsStored?.();
  }

  return sendChunk;
}

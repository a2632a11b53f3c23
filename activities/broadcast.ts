// Activities of newsletter broadcasts (workflows/broadcast.ts): snapshot the
// audience once into broadcast_recipients, then send in batches. Each recipient
// goes through the same exactly-once send as journey steps (activities/send-email.ts),
// keyed by (broadcast workflow, contact): a batch retried after a crash finds
// the sends already made and only marks their rows, so nobody is mailed twice,
// and rows stay `pending` until their outcome is recorded. A send interrupted
// during the SMTP conversation itself is not retried (at most once): that
// recipient ends `failed` (the send `indeterminate`).
import type { Prisma } from '@prisma/client';
import { Context } from '@temporalio/activity';
import { segmentWhere } from '../segments/compile';
import { storedCondition } from '../segments/service';
import type { ActivityDeps } from './deps';
import { createSendEmail, sendKey, type SendOutcome } from './send-email';

export type RecipientStatus = 'pending' | 'sent' | 'suppressed' | 'failed' | 'skipped';
export type BroadcastStatus = 'starting' | 'snapshotting' | 'sending' | 'paused' | 'completed' | 'cancelled' | 'failed';
export type Variant = 'regular' | 'reengagement';

export interface BroadcastCounts {
  audience: number;
  sent: number;
  failed: number;
  suppressed: number;
  skipped: number;
  /** Recipients not sent to yet (pending, including deferred ones). */
  remaining: number;
}

export interface BatchResult {
  processed: number;
  counts: BroadcastCounts;
  /** When the earliest deferred recipient may be tried again (ISO), if none is due now. */
  nextDueAt: string | null;
}

/** How a send outcome lands on the recipient row. */
const STATUS_OF: Record<Exclude<SendOutcome, 'deferred'>, RecipientStatus> = {
  sent: 'sent',
  suppressed: 'suppressed',
  failed: 'failed',
  indeterminate: 'failed',
  skipped: 'skipped',
};

/** The reengagement variant: a never-clicker whose 5th unclicked newsletter in a row this would be. */
export function chooseVariant(c: { lastClickAt: Date | null; newslettersSinceLastClick: number } | null): Variant {
  return c && c.lastClickAt === null && c.newslettersSinceLastClick === 4 ? 'reengagement' : 'regular';
}

export async function broadcastCounts(db: ActivityDeps['db'] | Prisma.TransactionClient, broadcastId: string): Promise<BroadcastCounts> {
  const groups = await db.broadcastRecipient.groupBy({ by: ['status'], where: { broadcastId }, _count: { _all: true } });
  const n = (s: RecipientStatus) => groups.find((g) => g.status === s)?._count._all ?? 0;
  const counts = { sent: n('sent'), failed: n('failed'), suppressed: n('suppressed'), skipped: n('skipped'), remaining: n('pending') };
  return { audience: counts.sent + counts.failed + counts.suppressed + counts.skipped + counts.remaining, ...counts };
}

/** Tells Temporal the batch is alive (a dead worker's batch is retried after the heartbeat timeout). */
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
 * How long a claimed recipient is kept from other batches while its send runs:
 * longer than an activity attempt may take (10 minutes), so a batch retried
 * while the previous attempt still talks SMTP does not take the same row.
 */
const CLAIM_LEASE_MS = 15 * 60_000;

const later = (iso?: string) => new Date(Math.max(Date.now(), iso ? Date.parse(iso) || 0 : 0));

export function createBroadcastActivities(deps: ActivityDeps) {
  const { db, log } = deps;
  const sendEmail = createSendEmail(deps);

  return {
    /** Inserts the audience once: segment members subscribed to the newsletter, not deleted. */
    async snapshotBroadcastAudience(input: { broadcastId: string; now?: string }): Promise<BroadcastCounts> {
      const now = later(input.now);
      await db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM "broadcasts" WHERE id = ${input.broadcastId}::uuid FOR UPDATE`;
        const b = await tx.broadcast.findUniqueOrThrow({ where: { id: input.broadcastId } });
        if (b.snapshotAt) return;
        const audience = await tx.$executeRaw`
          INSERT INTO "broadcast_recipients" ("broadcast_id", "contact_id")
          SELECT ${b.id}::uuid, c."id" FROM "contacts" c
          WHERE ${segmentWhere(storedCondition(b.condition), now)}
            AND c."subscriptions" ->> 'newsletter' = 'subscribed'
            AND COALESCE(c."subscriptions" ->> '*', '') <> 'unsubscribed'
          ON CONFLICT DO NOTHING`;
        await tx.broadcast.update({ where: { id: b.id }, data: { snapshotAt: now, audienceSize: audience, status: 'sending' } });
      }, { timeout: 10 * 60_000, maxWait: 30_000 });
      return broadcastCounts(db, input.broadcastId);
    },

    /**
     * Sends to up to `limit` due recipients, one row at a time, without holding
     * a transaction (or a pooled connection) across the SMTP conversation: the
     * row is claimed in one short statement (FOR UPDATE SKIP LOCKED, then a lease
     * in `not_before` so no other batch takes it meanwhile), sent through the
     * exactly-once send (which uses connections of its own), and marked in
     * another short statement.
     */
    async sendBroadcastBatch(input: { broadcastId: string; limit: number; now?: string }): Promise<BatchResult> {
      const now = later(input.now);
      const b = await db.broadcast.findUniqueOrThrow({ where: { id: input.broadcastId } });
      let processed = 0;
      while (processed < input.limit) {
        beat();
        const lease = new Date(now.getTime() + CLAIM_LEASE_MS);
        const [row] = await db.$queryRaw<{ contact_id: string; variant: string | null }[]>`
          UPDATE "broadcast_recipients" SET "not_before" = (${lease.toISOString()}::timestamptz AT TIME ZONE 'UTC'), "updated_at" = now()
          WHERE "broadcast_id" = ${b.id}::uuid AND "status" = 'pending' AND "contact_id" = (
            SELECT "contact_id" FROM "broadcast_recipients"
            WHERE "broadcast_id" = ${b.id}::uuid AND "status" = 'pending'
              AND ("not_before" IS NULL OR "not_before" <= (${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'))
            ORDER BY "contact_id" LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING "contact_id"::text AS contact_id, "variant"`;
        if (!row) break;
        const contactId = row.contact_id;
        const where = { broadcastId_contactId: { broadcastId: b.id, contactId } };
        try {
          let variant = row.variant as Variant | null;
          if (!variant) {
            // A send made before a crash decides: its template is what the recipient got.
            const earlier = await db.messageSend.findUnique({ where: { idempotencyKey: sendKey(b.workflowId, contactId) }, select: { templateKey: true } });
            if (earlier) variant = earlier.templateKey === b.reengagementTemplate && b.templateKey !== b.reengagementTemplate ? 'reengagement' : 'regular';
            else variant = chooseVariant(await db.contact.findUnique({ where: { id: contactId }, select: { lastClickAt: true, newslettersSinceLastClick: true } }));
          }
          const r = await sendEmail({
            contactId,
            templateKey: variant === 'reengagement' ? b.reengagementTemplate : b.templateKey,
            workflowId: b.workflowId,
            stepId: contactId,
            now: now.toISOString(),
            broadcast: { id: b.id, variant },
          });
          if (r.outcome === 'deferred') {
            await db.broadcastRecipient.updateMany({
              where: { broadcastId: b.id, contactId, status: 'pending' },
              data: { variant, sendId: r.sendId ?? null, notBefore: r.until ? new Date(r.until) : null, error: `deferred: ${r.reason ?? ''}` },
            });
          } else {
            // Whatever happened to the row meanwhile (a cancel), this is what the recipient got.
            const status = STATUS_OF[r.outcome];
            await db.broadcastRecipient.update({
              where,
              data: { status, variant, sendId: r.sendId ?? null, notBefore: null, error: status === 'sent' ? null : `${r.outcome}: ${r.reason ?? ''}` },
            });
          }
        } catch (err) {
          // Nothing recorded for this recipient: give the row back (the send
          // itself is exactly once, whatever happened), then let Temporal retry.
          await db.broadcastRecipient.updateMany({ where: { broadcastId: b.id, contactId, status: 'pending', notBefore: lease }, data: { notBefore: null } })
            .catch((releaseErr: unknown) => log.warn({ broadcastId: b.id, err: releaseErr }, 'could not release a claimed recipient; it is retried when its lease ends'));
          throw err;
        }
        processed++;
      }
      const counts = await broadcastCounts(db, b.id);
      let nextDueAt: string | null = null;
      if (counts.remaining > 0) {
        const next = await db.broadcastRecipient.aggregate({ where: { broadcastId: b.id, status: 'pending' }, _min: { notBefore: true } });
        nextDueAt = next._min.notBefore && next._min.notBefore > now ? next._min.notBefore.toISOString() : null;
      }
      log.info({ broadcastId: b.id, processed, ...counts }, 'broadcast batch');
      return { processed, counts, nextDueAt };
    },

    /** Records the broadcast's state; cancelling skips everyone not sent to yet. */
    async setBroadcastStatus(input: { broadcastId: string; status: BroadcastStatus }): Promise<BroadcastCounts> {
      const finished = input.status === 'completed' || input.status === 'cancelled' || input.status === 'failed';
      await db.$transaction(async (tx) => {
        if (input.status === 'cancelled') {
          await tx.broadcastRecipient.updateMany({ where: { broadcastId: input.broadcastId, status: 'pending' }, data: { status: 'skipped', error: 'broadcast cancelled' } });
        }
        await tx.broadcast.update({ where: { id: input.broadcastId }, data: { status: input.status, ...(finished ? { finishedAt: new Date() } : {}) } });
      });
      return broadcastCounts(db, input.broadcastId);
    },
  };
}

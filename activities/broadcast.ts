// Activities of newsletter broadcasts (workflows/broadcast.ts): snapshot the
// audience once into broadcast_recipients, then send in chunks
// (activities/broadcast-chunk.ts), several at once. Each recipient's send is
// exactly once, keyed by (broadcast workflow, contact) like a journey send: a
// chunk retried after a crash finds the sends already made and only marks
// their rows, so nobody is mailed twice, and rows stay `pending` until their
// outcome is recorded. A send interrupted during the SMTP conversation itself
// is not retried (at most once): that recipient ends `failed` (the send
// `indeterminate`).
import { newsletterAudienceWhere } from '../newsletters/audience';
import { storedCondition } from '../segments/service';
import { broadcastCounts, createChunkSender, type BatchResult, type BroadcastCounts, type ChunkInput } from './broadcast-chunk';
import type { ActivityDeps } from './deps';

export {
  broadcastCounts,
  chooseVariant,
  type BatchResult,
  type BroadcastCounts,
  type ChunkInput,
  type RecipientStatus,
  type Variant,
} from './broadcast-chunk';
export type { BroadcastStatus } from '../newsletters/broadcast-contract';
import type { BroadcastStatus } from '../newsletters/broadcast-contract';

const later = (iso?: string) => new Date(Math.max(Date.now(), iso ? Date.parse(iso) || 0 : 0));

export function createBroadcastActivities(deps: ActivityDeps) {
  const { db } = deps;
  const sendChunk = createChunkSender(deps);

  return {
    /** Inserts the audience once: segment members subscribed to the newsletter, not deleted. */
    async snapshotBroadcastAudience(input: { broadcastId: string; now?: string }): Promise<BroadcastCounts> {
      // The render threads load (about a second) while the audience is taken, not in the first chunk.
      deps.preparer?.warm();
      const now = later(input.now);
      await db.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT id FROM "broadcasts" WHERE id = ${input.broadcastId}::uuid FOR UPDATE`;
          const b = await tx.broadcast.findUniqueOrThrow({ where: { id: input.broadcastId } });
          if (b.snapshotAt) return;
          const audience = await tx.$executeRaw`
          INSERT INTO "broadcast_recipients" ("broadcast_id", "contact_id")
          SELECT ${b.id}::uuid, c."id" FROM "contacts" c
          WHERE ${newsletterAudienceWhere(storedCondition(b.condition), now)}
          ON CONFLICT DO NOTHING`;
          await tx.broadcast.update({ where: { id: b.id }, data: { snapshotAt: now, audienceSize: audience, status: 'sending' } });
        },
        { timeout: 10 * 60_000, maxWait: 30_000 },
      );
      // Fresh statistics for the claim's index scan over a table that just grew.
      await db.$executeRaw`ANALYZE "broadcast_recipients"`;
      return broadcastCounts(db, input.broadcastId);
    },

    /**
     * Sends to up to `limit` due recipients: one chunk (activities/broadcast-chunk.ts).
     * Several run at once for one broadcast, on one worker or several: the
     * claim takes disjoint rows. The name is kept for runs recorded before chunks.
     */
    async sendBroadcastBatch(input: ChunkInput): Promise<BatchResult> {
      return sendChunk(input);
    },

    /** Records the broadcast's state; cancelling skips everyone not sent to yet. */
    async setBroadcastStatus(input: { broadcastId: string; status: BroadcastStatus }): Promise<BroadcastCounts> {
      const finished = input.status === 'completed' || input.status === 'cancelled' || input.status === 'failed';
      await db.$transaction(async (tx) => {
        if (input.status === 'cancelled') {
          await tx.broadcastRecipient.updateMany({
            where: { broadcastId: input.broadcastId, status: 'pending' },
            data: { status: 'skipped', error: 'broadcast cancelled' },
          });
        }
        await tx.broadcast.update({
          where: { id: input.broadcastId },
          data: { status: input.status, ...(finished ? { finishedAt: new Date() } : {}) },
        });
      });
      return broadcastCounts(db, input.broadcastId);
    },
  };
}

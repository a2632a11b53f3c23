// The audience of a broadcast as recorded in broadcast_recipients: what the
// progress counts are made of (the table is the truth; the workflow's query
// answers the same counts while it runs).
import type { Prisma } from '@prisma/client';
import type { Db } from '../lib/db';
import type { BroadcastCounts } from './broadcast-contract';

export type RecipientStatus = 'pending' | 'sent' | 'suppressed' | 'failed' | 'skipped';

/** One grouped count over the (broadcast, status, contact) index. */
export async function broadcastCounts(db: Db | Prisma.TransactionClient, broadcastId: string): Promise<BroadcastCounts> {
  const groups = await db.broadcastRecipient.groupBy({ by: ['status'], where: { broadcastId }, _count: { _all: true } });
  const n = (s: RecipientStatus) => groups.find((g) => g.status === s)?._count._all ?? 0;
  const counts = { sent: n('sent'), failed: n('failed'), suppressed: n('suppressed'), skipped: n('skipped'), remaining: n('pending') };
  return { audience: counts.sent + counts.failed + counts.suppressed + counts.skipped + counts.remaining, ...counts };
}

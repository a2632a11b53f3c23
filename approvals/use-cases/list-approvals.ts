// Approvals by status, soonest deadline first (at most 500).
import type { Db } from '../../lib/db';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export function listApprovals(db: Db, status: ApprovalStatus) {
  return db.approval.findMany({ where: { status }, orderBy: { deadline: 'asc' }, take: 500 });
}

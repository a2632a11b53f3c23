// Approvals by status, soonest deadline first (at most 500), each with whom it
// is about, so that two approvals with the same subject can be told apart.
import type { Db } from '../../lib/db';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export function listApprovals(db: Db, status: ApprovalStatus) {
  return db.approval.findMany({
    where: { status },
    orderBy: { deadline: 'asc' },
    take: 500,
    include: { contact: { select: { email: true, firstName: true, lastName: true } } },
  });
}

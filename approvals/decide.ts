// Recording a human decision on an approval. The decision becomes an
// `approval_decided` event, which reaches the waiting run through the outbox.
import { z } from 'zod';
import type { Db } from '../lib/db';
import { DomainError } from '../lib/errors';
import { safeString } from '../lib/zod-strings';
import { recordSystemEvent } from '../contacts/system-events';
import { SYSTEM_EVENTS } from '../shared/system-events';

/** The body of POST /v1/approvals/:id/decision. */
export const approvalDecisionSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  by: safeString().trim().min(1).max(200).describe('Who decided (name or email)'),
  note: safeString().max(2000).optional(),
});

export class ApprovalError extends DomainError {
  constructor(
    override readonly code: 'approval_not_found' | 'already_decided',
    message: string,
  ) {
    super(code === 'approval_not_found' ? 'not_found' : 'conflict', code, message, [{ path: 'id', message }]);
  }
}

export async function decideApproval(
  db: Db,
  input: { id: string; decision: 'approve' | 'reject'; by: string; note?: string },
): Promise<{ id: string; status: 'approved' | 'rejected' }> {
  const status = input.decision === 'approve' ? 'approved' : 'rejected';
  return db.$transaction(async (tx) => {
    const a = await tx.approval.findUnique({ where: { id: input.id } });
    if (!a) throw new ApprovalError('approval_not_found', 'no such approval');
    // Conditional update: of two racing decisions (or a decision and the deadline), one wins.
    const won = await tx.approval.updateMany({
      where: { id: input.id, status: 'pending' },
      data: { status, decidedBy: input.by, decidedAt: new Date() },
    });
    if (won.count === 0) throw new ApprovalError('already_decided', `this approval is already ${a.status}`);
    await recordSystemEvent(tx, {
      contactId: a.contactId,
      type: SYSTEM_EVENTS.approvalDecided,
      key: `approval:${input.id}`,
      properties: { approvalId: input.id, decision: status, by: input.by, note: input.note ?? null },
    });
    return { id: input.id, status };
  });
}

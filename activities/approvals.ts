// Human approvals: a record, an email to the approver, and a decision that comes
// back as an `approval_decided` event (POST /v1/approvals/:id/decision).
import { signToken } from '../lib/tokens';
import type { ActivityDeps } from './deps';
import { sendNotice, sendNoticeOnce } from './notify';

export function createApprovalActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    async requestApproval(input: {
      contactId: string;
      workflowId: string;
      key: string;
      approver: string;
      subject: string;
      deadlineMs: number;
      now: string;
    }): Promise<{ approvalId: string; deadline: string }> {
      const deadline = new Date(Date.parse(input.now) + input.deadlineMs);
      const a = await db.approval.upsert({
        where: { idempotencyKey: input.key },
        create: {
          idempotencyKey: input.key,
          contactId: input.contactId,
          workflowId: input.workflowId,
          approver: input.approver,
          subject: input.subject,
          deadline,
        },
        update: {},
      });
      await sendNoticeOnce(
        async () => (await db.approval.updateMany({ where: { id: a.id, notifiedAt: null }, data: { notifiedAt: new Date() } })).count === 1,
        () => db.approval.update({ where: { id: a.id }, data: { notifiedAt: null } }),
        async () => {
          const contact = await db.contact.findUnique({ where: { id: input.contactId } });
          const base = deps.publicUrl.replace(/\/$/, '');
          await sendNotice(deps, {
            templateKey: 'approval-request',
            to: input.approver,
            noticeId: `approval-${a.id}`,
            data: {
              approval: { id: a.id, subject: a.subject, deadline: a.deadline.toISOString() },
              contact: { firstName: contact?.firstName, lastName: contact?.lastName, company: contact?.company, email: contact?.email },
              // A signed link to a page with approve/reject buttons, valid until a day after the deadline.
              decisionUrl: `${base}/a/${signToken(deps.linkSecret, { p: 'approval', c: input.contactId, s: a.id, exp: Math.floor(a.deadline.getTime() / 1000) + 86_400 })}`,
              apiUrl: `${base}/v1/approvals/${a.id}/decision`,
            },
          });
        },
      );
      return { approvalId: a.id, deadline: a.deadline.toISOString() };
    },

    /** Marks a pending approval as timed out; returns the decision that stands. */
    async expireApproval(input: { approvalId: string; onTimeout: 'approve' | 'reject' }): Promise<{ decision: 'approved' | 'rejected' }> {
      await db.approval.updateMany({
        where: { id: input.approvalId, status: 'pending' },
        data: { status: 'expired', decidedBy: 'deadline', decidedAt: new Date() },
      });
      const a = await db.approval.findUniqueOrThrow({ where: { id: input.approvalId } });
      if (a.status === 'approved' || a.status === 'rejected') return { decision: a.status };
      return { decision: input.onTimeout === 'approve' ? 'approved' : 'rejected' };
    },
  };
}

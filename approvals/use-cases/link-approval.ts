// The approver's signed link (/a/:token): the approval it names, and the
// decision taken there, as the approver the journey named.
import { ConflictError, NotFoundError } from '../../lib/errors';
import type { Db } from '../../lib/db';
import { verifyToken } from '../../lib/tokens';
import { ApprovalError, decideApproval } from '../decide';

const invalid = () => new NotFoundError('invalid_token', 'this approval link is not valid or has expired');

/** The approval a link names; NotFoundError for a bad, expired or foreign token. */
export async function approvalForLink(deps: { db: Db; linkSecret: string }, token: string) {
  const p = verifyToken(deps.linkSecret, token);
  if (!p || p.p !== 'approval' || !p.s) throw invalid();
  const a = await deps.db.approval.findUnique({ where: { id: p.s } });
  if (!a || a.contactId !== p.c) throw invalid();
  return a;
}

export async function decideByLink(
  deps: { db: Db; linkSecret: string; onEventsStored?: () => void },
  token: string,
  form: { decision: 'approve' | 'reject'; note?: string },
) {
  const a = await approvalForLink(deps, token);
  try {
    const out = await decideApproval(deps.db, { id: a.id, decision: form.decision, by: a.approver, note: form.note });
    deps.onEventsStored?.();
    return { approval: a, status: out.status };
  } catch (err) {
    // On the page, the decision is what the approver sent.
    if (err instanceof ApprovalError && err.code === 'already_decided')
      throw new ConflictError('already_decided', err.message, [{ path: 'decision', message: err.message }]);
    throw err;
  }
}

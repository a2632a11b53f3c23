// /a/:token: the approver's page, linked from the approval email. The signed
// token names the approval; GET shows it with approve/reject buttons, POST
// records the decision (as the approver the journey named).
import express, { Router } from 'express';
import { z } from 'zod';
import { ApprovalError, decideApproval } from '../../approvals/decide';
import { verifyToken } from '../../lib/tokens';
import type { ServerDeps } from '../context';
import { HttpError } from '../errors';
import { escapeHtml as escape, htmlPage as page } from '../../lib/html';


const formSchema = z.object({ decision: z.enum(['approve', 'reject']), note: z.string().max(2000).optional() });

export function approvalLinksRouter(deps: ServerDeps): Router {
  const r = Router();

  async function load(token: string) {
    const p = verifyToken(deps.linkSecret, token);
    if (!p || p.p !== 'approval' || !p.s) throw new HttpError(404, 'invalid_token', 'this approval link is not valid or has expired');
    const a = await deps.db.approval.findUnique({ where: { id: p.s } });
    if (!a || a.contactId !== p.c) throw new HttpError(404, 'invalid_token', 'this approval link is not valid or has expired');
    return a;
  }

  r.get('/a/:token', async (req, res) => {
    const a = await load(req.params.token);
    const body =
      a.status === 'pending'
        ? `<h1>Approval needed</h1><p>${escape(a.subject)}</p><p>Decide before ${escape(a.deadline.toISOString())}.</p>` +
          `<form method="post"><button name="decision" value="approve">Approve</button><button name="decision" value="reject">Reject</button></form>`
        : `<h1>Already decided</h1><p>${escape(a.subject)}: ${escape(a.status)}${a.decidedBy ? ` by ${escape(a.decidedBy)}` : ''}.</p>`;
    res.type('html').send(page('Approval', body));
  });

  r.post('/a/:token', express.urlencoded({ extended: false, limit: '10kb' }), async (req, res) => {
    const a = await load(req.params.token);
    const form = formSchema.safeParse(req.body);
    if (!form.success) throw new HttpError(400, 'validation_failed', 'decision must be approve or reject', [{ path: 'decision', message: 'must be approve or reject' }]);
    try {
      const out = await decideApproval(deps.db, { id: a.id, decision: form.data.decision, by: a.approver, note: form.data.note });
      deps.onEventsStored();
      res.type('html').send(page('Thank you', `<h1>${out.status === 'approved' ? 'Approved' : 'Rejected'}</h1><p>${escape(a.subject)}</p>`));
    } catch (err) {
      if (err instanceof ApprovalError && err.code === 'already_decided') {
        throw new HttpError(409, 'already_decided', err.message, [{ path: 'decision', message: err.message }]);
      }
      throw err;
    }
  });

  return r;
}

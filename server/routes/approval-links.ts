// /a/:token: the approver's page, linked from the approval email. The signed
// token names the approval; GET shows it with approve/reject buttons, POST
// records the decision (as the approver the journey named).
import express, { Router } from 'express';
import { z } from 'zod';
import { approvalForLink, decideByLink } from '../../approvals/use-cases/link-approval';
import type { ServerDeps } from '../context';
import { HttpError } from '../errors';
import { escapeHtml as escape, htmlPage as page } from '../../lib/html';

const formSchema = z.object({ decision: z.enum(['approve', 'reject']), note: z.string().max(2000).optional() });

export function approvalLinksRouter(deps: ServerDeps): Router {
  const r = Router();

  r.get('/a/:token', async (req, res) => {
    const a = await approvalForLink(deps, req.params.token);
    const body =
      a.status === 'pending'
        ? `<h1>Approval needed</h1><p>${escape(a.subject)}</p><p>Decide before ${escape(a.deadline.toISOString())}.</p>` +
          `<form method="post"><button name="decision" value="approve">Approve</button><button name="decision" value="reject">Reject</button></form>`
        : `<h1>Already decided</h1><p>${escape(a.subject)}: ${escape(a.status)}${a.decidedBy ? ` by ${escape(a.decidedBy)}` : ''}.</p>`;
    res.type('html').send(page('Approval', body));
  });

  r.post('/a/:token', express.urlencoded({ extended: false, limit: '10kb' }), async (req, res) => {
    // A bad token answers 404 before a bad form answers 400.
    await approvalForLink(deps, req.params.token);
    const form = formSchema.safeParse(req.body);
    if (!form.success)
      throw new HttpError(400, 'validation_failed', 'decision must be approve or reject', [
        { path: 'decision', message: 'must be approve or reject' },
      ]);
    const out = await decideByLink(deps, req.params.token, form.data);
    res
      .type('html')
      .send(page('Thank you', `<h1>${out.status === 'approved' ? 'Approved' : 'Rejected'}</h1><p>${escape(out.approval.subject)}</p>`));
  });

  return r;
}

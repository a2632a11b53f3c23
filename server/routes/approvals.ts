// /v1/approvals: the human in the loop.
import { Router } from 'express';
import { z } from 'zod';
import { approvalDecisionSchema, decideApproval } from '../../approvals/decide';
import { listApprovals } from '../../approvals/use-cases/list-approvals';
import type { ServerDeps } from '../context';
import { parseOr400 } from '../errors';

export function approvalsRouter(deps: ServerDeps): Router {
  const r = Router();
  const { db } = deps;

  r.get('/approvals', async (req, res) => {
    const status = parseOr400(z.enum(['pending', 'approved', 'rejected', 'expired']).default('pending'), req.query.status, 'query.status');
    res.json({ approvals: await listApprovals(db, status) });
  });

  r.post('/approvals/:id/decision', async (req, res) => {
    const id = parseOr400(z.uuid(), req.params.id, 'id');
    const body = parseOr400(approvalDecisionSchema, req.body);
    // An ApprovalError answers 404 (no such approval) or 409 (already decided).
    const result = await decideApproval(db, { id, ...body });
    deps.onEventsStored();
    res.json(result);
  });

  return r;
}

// /v1/approvals: the human in the loop.
import { Router } from 'express';
import { z } from 'zod';
import { approvalDecisionSchema, ApprovalError, decideApproval } from '../../approvals/decide';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';


export function approvalsRouter(deps: ServerDeps): Router {
  const r = Router();
  const { db } = deps;

  r.get('/approvals', async (req, res) => {
    const status = parseOr400(z.enum(['pending', 'approved', 'rejected', 'expired']).default('pending'), req.query.status, 'query.status');
    const rows = await db.approval.findMany({ where: { status }, orderBy: { deadline: 'asc' }, take: 500 });
    res.json({ approvals: rows });
  });

  r.post('/approvals/:id/decision', async (req, res) => {
    const id = parseOr400(z.uuid(), req.params.id, 'id');
    const body = parseOr400(approvalDecisionSchema, req.body);
    try {
      const result = await decideApproval(db, { id, ...body });
      deps.onEventsStored();
      res.json(result);
    } catch (err) {
      if (err instanceof ApprovalError) {
        throw new HttpError(err.code === 'approval_not_found' ? 404 : 409, err.code, err.message, [{ path: 'id', message: err.message }]);
      }
      throw err;
    }
  });

  return r;
}

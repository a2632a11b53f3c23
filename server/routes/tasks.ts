// /v1/tasks: sales tasks that journeys created (create_task steps), and done.
// The use cases are in contacts/sales-tasks.ts; this maps HTTP to them.
import { Router } from 'express';
import { z } from 'zod';
import { completeSalesTask, listSalesTasks, taskListQuerySchema } from '../../contacts/sales-tasks';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';

export function tasksRouter(deps: ServerDeps): Router {
  const r = Router();
  r.get('/tasks', async (req, res) => {
    res.json(await listSalesTasks(deps.db, parseOr400(taskListQuerySchema, req.query, 'query')));
  });
  r.post('/tasks/:id/done', async (req, res) => {
    const id = parseOr400(z.uuid({ message: 'must be a task id (UUID)' }), req.params.id, 'id');
    const out = await completeSalesTask(deps.db, id);
    if (!out.ok && out.reason === 'not_found') throw new HttpError(404, 'task_not_found', 'no such task');
    if (!out.ok) throw new HttpError(409, 'task_not_open', `the task is ${out.status ?? 'not open'}`);
    res.json({ task: out.task });
  });
  return r;
}

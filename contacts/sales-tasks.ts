// Sales tasks that journeys' create_task steps write (activities/tasks.ts):
// the list of those still open (soonest due first) and marking one done.
import type { Prisma } from '@prisma/client';
import { z } from 'zod';
import type { Db } from '../lib/db';

export const salesTaskSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  contactEmail: z.string(),
  contactName: z.string().nullable(),
  owner: z.string(),
  reason: z.string(),
  dueAt: z.string().describe('ISO 8601 date-time'),
  overdue: z.boolean(),
  status: z.enum(['open', 'done', 'cancelled']),
  journeyKey: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});
export type SalesTaskView = z.infer<typeof salesTaskSchema>;

export const taskListQuerySchema = z.object({
  status: z.enum(['open', 'done', 'cancelled']).default('open'),
  owner: z.string().trim().toLowerCase().max(320).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type TaskListQuery = z.infer<typeof taskListQuerySchema>;

/** "journey/<key>/<contact>[/<runKey>]" -> the journey key. */
const journeyOf = (workflowId: string | null) => (workflowId?.startsWith('journey/') ? (workflowId.split('/')[1] ?? null) : null);

const include = { contact: { select: { email: true, firstName: true, lastName: true } } } as const;
type Row = Prisma.SalesTaskGetPayload<{ include: typeof include }>;

function view(t: Row, now: Date): SalesTaskView {
  const name = [t.contact.firstName, t.contact.lastName].filter(Boolean).join(' ');
  return {
    id: t.id,
    contactId: t.contactId,
    contactEmail: t.contact.email,
    contactName: name || null,
    owner: t.owner,
    reason: t.reason,
    dueAt: t.dueAt.toISOString(),
    overdue: t.status === 'open' && t.dueAt <= now,
    status: salesTaskSchema.shape.status.catch('open').parse(t.status),
    journeyKey: journeyOf(t.workflowId),
    createdAt: t.createdAt.toISOString(),
    completedAt: t.completedAt?.toISOString() ?? null,
  };
}

/** Tasks of erased contacts are left out (their reason may name them). */
export async function listSalesTasks(db: Db, q: TaskListQuery, now = new Date()): Promise<{ tasks: SalesTaskView[] }> {
  const rows = await db.salesTask.findMany({
    where: { status: q.status, ...(q.owner ? { owner: q.owner } : {}), contact: { deletedAt: null } },
    include,
    orderBy: q.status === 'open' ? [{ dueAt: 'asc' }, { id: 'asc' }] : [{ completedAt: 'desc' }, { id: 'asc' }],
    take: q.limit,
  });
  return { tasks: rows.map((t) => view(t, now)) };
}

export type CompleteOutcome = { ok: true; task: SalesTaskView } | { ok: false; reason: 'not_found' | 'not_open'; status?: string };

/** Marks an open task done (once: a second call says it is no longer open). */
export async function completeSalesTask(db: Db, id: string, now = new Date()): Promise<CompleteOutcome> {
  const done = await db.salesTask.updateMany({ where: { id, status: 'open' }, data: { status: 'done', completedAt: now } });
  const t = await db.salesTask.findUnique({ where: { id }, include });
  if (!t) return { ok: false, reason: 'not_found' };
  if (done.count === 0) return { ok: false, reason: 'not_open', status: t.status };
  return { ok: true, task: view(t, now) };
}

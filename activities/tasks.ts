// Sales tasks: "remind me to call this prospect in three days".
import Handlebars from 'handlebars';
import { durationMs } from '../journeys/duration';
import type { ActivityDeps } from './deps';
import { sendNotice, sendNoticeOnce } from './notify';

export interface CreateTaskInput {
  contactId: string;
  workflowId: string;
  key: string;
  owner: string;
  fallbackOwner?: string;
  due: string;
  reason: string;
  notify: boolean;
  event: { type: string; properties: Record<string, unknown> } | null;
  now?: string;
}

export function createTaskActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    async createSalesTask(
      input: CreateTaskInput,
    ): Promise<{ taskId: string | null; owner?: string; dueAt?: string; notified?: boolean; why?: string }> {
      const contact = await db.contact.findUnique({ where: { id: input.contactId } });
      if (!contact || contact.deletedAt) return { taskId: null, why: 'contact deleted' };
      const owner = input.owner === 'contact.owner' ? (contact.ownerEmail ?? input.fallbackOwner) : input.owner;
      if (!owner) return { taskId: null, why: 'the contact has no owner and no fallbackOwner is set' };
      const context = {
        contact: { firstName: contact.firstName, lastName: contact.lastName, company: contact.company, email: contact.email },
        event: input.event,
      };
      const reason = Handlebars.compile(input.reason, { noEscape: true })(context);
      const dueAt = new Date((input.now ? Date.parse(input.now) : Date.now()) + durationMs(input.due));
      const task = await db.salesTask.upsert({
        where: { idempotencyKey: input.key },
        create: { idempotencyKey: input.key, contactId: contact.id, owner, reason, dueAt, workflowId: input.workflowId },
        update: {},
      });
      let notified = task.notifiedAt !== null;
      if (input.notify && !notified) {
        notified = await sendNoticeOnce(
          async () =>
            (await db.salesTask.updateMany({ where: { id: task.id, notifiedAt: null }, data: { notifiedAt: new Date() } })).count === 1,
          () => db.salesTask.update({ where: { id: task.id }, data: { notifiedAt: null } }),
          () =>
            sendNotice(deps, {
              templateKey: 'sales-task',
              to: owner,
              noticeId: `task-${task.id}`,
              data: { ...context, task: { reason, dueAt: task.dueAt.toISOString(), owner } },
            }),
        );
      }
      return { taskId: task.id, owner, dueAt: task.dueAt.toISOString(), notified };
    },
  };
}

// A contact's timeline: events, email sends and journey steps, newest first.
import type { Db } from '../lib/db';
import { stepWhy } from '../journeys/why';

export type TimelineEntry =
  | { kind: 'event'; at: Date; id: string; type: string; source: string; properties: unknown }
  | {
      kind: 'email';
      at: Date;
      id: string;
      template: string;
      templateVersion: number;
      status: string;
      subject: string | null;
      journey: string | null;
      step: string | null;
      opens: number;
      clicks: number;
      error: string | null;
    }
  | {
      kind: 'journey_step';
      at: Date;
      id: string;
      journey: string;
      step: string;
      stepType: string;
      outcome: string;
      /** The reason of what the step did (journeys/why.ts); null when it has none. The one field to read. */
      why: string | null;
      /** What the step logged; its `reason` (sends, exits, a run's end) is a deprecated alias of `why`. */
      detail: unknown;
    };

export async function contactTimeline(db: Db, contactId: string, opts: { limit: number; before?: Date }): Promise<TimelineEntry[]> {
  const at = opts.before ? { lt: opts.before } : undefined;
  const [events, sends, steps] = await Promise.all([
    db.event.findMany({ where: { contactId, occurredAt: at }, orderBy: { occurredAt: 'desc' }, take: opts.limit }),
    db.messageSend.findMany({ where: { contactId, createdAt: at }, orderBy: { createdAt: 'desc' }, take: opts.limit }),
    db.journeyStepLog.findMany({ where: { contactId, at }, orderBy: { at: 'desc' }, take: opts.limit }),
  ]);
  const entries: TimelineEntry[] = [
    ...events.map((e) => ({
      kind: 'event' as const,
      at: e.occurredAt,
      id: e.id,
      type: e.type,
      source: e.source,
      properties: e.properties,
    })),
    ...sends.map((s) => ({
      kind: 'email' as const,
      at: s.sentAt ?? s.createdAt,
      id: s.id,
      template: s.templateKey,
      templateVersion: s.templateVersion,
      status: s.status,
      subject: s.subject,
      journey: s.journeyKey,
      step: s.stepId,
      opens: s.opens,
      clicks: s.clicks,
      error: s.error,
    })),
    ...steps.map((s) => ({
      kind: 'journey_step' as const,
      at: s.at,
      id: s.id,
      journey: s.journeyKey,
      step: s.stepId,
      stepType: s.kind,
      outcome: s.outcome,
      why: stepWhy(s.kind, s.outcome, s.detail),
      detail: s.detail,
    })),
  ];
  return entries.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, opts.limit);
}

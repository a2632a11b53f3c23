import { durationMs } from '../../journeys/duration';
import { SYSTEM_EVENTS } from '../../journeys/match';
import type { StepOf } from '../../journeys/schema';
import type { StepHandler } from '../context';

/** Asks a human; branches on approve, reject, or what the deadline passing means. */
export const approvalStep: StepHandler<StepOf<'approval'>> = async (ctx, step) => {
  const ms = durationMs(step.deadline);
  const { approvalId, deadline } = await ctx.acts.requestApproval({
    contactId: ctx.input.contactId,
    workflowId: ctx.workflowId,
    key: ctx.visitKey(step.id),
    approver: step.approver,
    subject: step.subject,
    deadlineMs: ms,
    now: new Date(ctx.now()).toISOString(),
  });
  const decided = () => ctx.state.events.find((e) => e.type === SYSTEM_EVENTS.approvalDecided && e.properties.approvalId === approvalId);
  const outcome = await ctx.waitFor(Math.max(1, Date.parse(deadline) - ctx.now()), () => decided() !== undefined);
  if (outcome === 'interrupted') return { outcome: 'interrupted', next: null };
  let decision: string;
  let by: string | null = null;
  if (outcome === 'ready') {
    decision = String(decided()!.properties.decision);
    by = typeof decided()!.properties.by === 'string' ? String(decided()!.properties.by) : null;
  } else {
    // The deadline passed: record the timeout unless a decision raced it.
    decision = (await ctx.acts.expireApproval({ approvalId, onTimeout: step.onTimeout })).decision;
  }
  const approved = decision === 'approved';
  return {
    outcome: approved ? 'approved' : 'rejected',
    detail: { approvalId, decision, by, timedOut: outcome === 'timeout' },
    next: approved ? step.onApprove : step.onReject,
  };
};

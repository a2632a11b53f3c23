import type { StepOf } from '../../journeys/schema';
import type { StepHandler } from '../context';

/** Calls an outgoing webhook (signed, retried); later branches can read its response. */
export const webhookStep: StepHandler<StepOf<'webhook'>> = async (ctx, step) => {
  const acts = ctx.activitiesWith({
    startToCloseTimeout: step.timeout,
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: step.maxAttempts },
  });
  try {
    const r = await acts.callWebhook({
      url: step.url,
      body: step.body ?? {},
      contactId: ctx.input.contactId,
      journeyKey: ctx.input.journeyKey,
      idempotencyKey: ctx.visitKey(step.id),
    });
    ctx.state.vars[step.id] = r;
    return { outcome: `http_${r.status}`, detail: { url: step.url, status: r.status } };
  } catch (err) {
    const message = (err as Error).message;
    ctx.state.vars[step.id] = { status: 0, body: null, error: message };
    return { outcome: 'failed', detail: { url: step.url, error: message.slice(0, 200) } };
  }
};

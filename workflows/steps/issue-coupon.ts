import type { StepOf } from '../../journeys/schema';
import type { StepHandler } from '../context';

/** Issues a unique single-use coupon; later emails show it as {{data.coupon.code}} (or {{data.steps.<id>.body.code}}). */
export const issueCouponStep: StepHandler<StepOf<'issue_coupon'>> = async (ctx, step) => {
  const coupon = await ctx.acts.issueCoupon({
    contactId: ctx.input.contactId,
    key: ctx.visitKey(step.id),
    value: step.value,
    prefix: step.prefix,
    reason: step.reason,
    expiresIn: step.expiresIn,
    now: new Date(ctx.now()).toISOString(),
  });
  ctx.state.vars[step.id] = { status: 200, body: coupon };
  ctx.state.lastCoupon = { ...coupon };
  return { outcome: 'issued', detail: { couponId: coupon.id, value: coupon.value, currency: coupon.currency } };
};

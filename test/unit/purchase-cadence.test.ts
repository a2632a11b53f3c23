// The purchase cadence behind we_miss_you: purchases seconds apart are not a
// habit of buying every few seconds.
import { describe, expect, it } from 'vitest';
import { MIN_PURCHASE_INTERVAL_MS, purchaseCadence } from '../../events/effects';

const DAY = 86_400_000;
const t0 = new Date('2026-01-01T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('purchaseCadence', () => {
  it('has no due date after one purchase', () => {
    expect(purchaseCadence({ firstPurchaseAt: null, lastPurchaseAt: null, purchaseCount: 0 }, t0).nextPurchaseDueAt).toBeNull();
  });

  it('three purchases seconds apart are due no sooner than two days after the last', () => {
    const c = { firstPurchaseAt: t0, lastPurchaseAt: at(3_000), purchaseCount: 2 };
    const due = purchaseCadence(c, at(6_000)).nextPurchaseDueAt!;
    expect(MIN_PURCHASE_INTERVAL_MS).toBe(DAY);
    expect(due.getTime()).toBe(at(6_000).getTime() + 2 * DAY);
  });

  it('keeps twice the real average when it is longer than a day', () => {
    const c = { firstPurchaseAt: t0, lastPurchaseAt: at(10 * DAY), purchaseCount: 1 };
    expect(purchaseCadence(c, at(10 * DAY)).nextPurchaseDueAt).toEqual(at(30 * DAY));
  });

  it('counts two purchases at the same instant as a one-day cadence', () => {
    const c = { firstPurchaseAt: t0, lastPurchaseAt: t0, purchaseCount: 1 };
    expect(purchaseCadence(c, t0).nextPurchaseDueAt).toEqual(at(2 * DAY));
  });
});

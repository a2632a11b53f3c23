// The change an update_contact step makes, shared by the worker and the simulator.
import { describe, expect, it } from 'vitest';
import { applyContactUpdate, describeContactUpdate } from '../../contacts/journey-update';

describe('applyContactUpdate', () => {
  it('sets, unsets and retags without changing its inputs', () => {
    const attributes = { plan: 'free', city: 'Lyon' };
    const tags = ['lead', 'trial'];
    const next = applyContactUpdate(attributes, tags, { set: { plan: 'pro' }, unset: ['city'], addTags: ['vip'], removeTags: ['trial'] });
    expect(next).toEqual({ attributes: { plan: 'pro' }, tags: ['lead', 'vip'] });
    expect(attributes).toEqual({ plan: 'free', city: 'Lyon' });
    expect(tags).toEqual(['lead', 'trial']);
  });
});

describe('describeContactUpdate', () => {
  it('names every part of the change in order', () => {
    expect(
      describeContactUpdate({
        set: { plan: 'pro' },
        unset: ['city'],
        addTags: ['vip'],
        removeTags: ['trial'],
        addPoints: -5,
        setTier: null,
        subscriptions: { newsletter: 'unsubscribed' },
      }),
    ).toBe('set plan, unset city, +tag vip, -tag trial, -5 points, tier none, newsletter unsubscribed');
    expect(describeContactUpdate({ addPoints: 50, setTier: 'gold' })).toBe('+50 points, tier gold');
  });
});

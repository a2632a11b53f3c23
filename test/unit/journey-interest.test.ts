import { describe, expect, it } from 'vitest';
import { runHearsOf } from '../../journeys/interest';
import { journeyDefinitionSchema } from '../../journeys/schema';

const def = (extra: Record<string, unknown>) =>
  journeyDefinitionSchema.parse({
    key: 'j',
    name: 'J',
    trigger: { type: 'event', event: 'signed_up' },
    steps: [{ id: 'w', type: 'wait', duration: '1d' }],
    ...extra,
  });
const ev = (type: string, properties: Record<string, unknown> = {}) => ({ type, properties });

describe('which events a run hears of', () => {
  it('hears its goals and the contact deletion, nothing else', () => {
    const hears = runHearsOf(def({ goals: [{ event: 'purchase' }] }));
    expect(hears(ev('purchase'))).toBe(true);
    expect(hears(ev('contact_deleted'))).toBe(true);
    expect(hears(ev('page_viewed'))).toBe(false);
    expect(hears(ev('signed_up'))).toBe(false);
  });

  it('hears what its wait_for_event and approval steps wait for', () => {
    const hears = runHearsOf(
      def({
        steps: [
          { id: 'w', type: 'wait_for_event', event: 'webinar_attended', timeout: '2d', onEvent: 'a', onTimeout: null },
          { id: 'a', type: 'approval', approver: 'boss@example.com', subject: 'ok?', deadline: '1d', onApprove: null, onReject: null },
        ],
      }),
    );
    expect(hears(ev('webinar_attended'))).toBe(true);
    expect(hears(ev('approval_decided'))).toBe(true);
    expect(hears(ev('purchase'))).toBe(false);
  });

  it('hears the events that move the date of a date trigger', () => {
    const hears = runHearsOf(def({ trigger: { type: 'date', field: 'attributes.renewal', offset: '-7d' } }));
    expect(hears(ev('attribute_changed', { attribute: 'renewal' }))).toBe(true);
    expect(hears(ev('attribute_changed', { attribute: 'plan' }))).toBe(false);
    expect(hears(ev('purchase'))).toBe(false);
  });
});

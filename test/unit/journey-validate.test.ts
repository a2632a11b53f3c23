import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reentryAllowed } from '../../events/dispatcher';
import { triggerMoment } from '../../activities/journeys';
import { journeyJsonSchema } from '../../journeys/json-schema';
import { bucket, matchesFilter } from '../../journeys/match';
import { parseJourneyYaml } from '../../journeys/files';
import { nextWindowStart } from '../../journeys/time-window';
import { validateJourney } from '../../journeys/validate';

const base = { key: 'j', name: 'J', trigger: { type: 'api' } };
const issues = (def: unknown, ctx = {}) => {
  const r = validateJourney(def, ctx);
  return r.ok ? [] : r.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('journey validation', () => {
  it('accepts a journey that uses every step kind', () => {
    expect(
      issues(
        {
          ...base,
          steps: [
            { id: 'a', type: 'send_email', template: 'welcome' },
            { id: 'b', type: 'wait', duration: '1d' },
            { id: 'c', type: 'wait_until_window', start: '09:00', end: '17:00' },
            { id: 'd', type: 'wait_for_event', event: 'email_clicked', timeout: '2d', onEvent: 'e', onTimeout: 'e' },
            { id: 'e', type: 'branch', cases: [{ when: { field: 'tier', op: 'eq', value: 'gold' }, next: 'f' }], otherwise: 'f' },
            {
              id: 'f',
              type: 'split',
              variants: [
                { name: 'x', percent: 50, next: 'g' },
                { name: 'y', percent: 50, next: 'g' },
              ],
            },
            { id: 'g', type: 'update_contact', addTags: ['t'] },
            { id: 'h', type: 'create_task', owner: 'contact.owner', due: '3d', reason: 'call' },
            { id: 'i', type: 'approval', approver: 'a@b.co', subject: 's', deadline: '1d', onApprove: 'j', onReject: 'j' },
            { id: 'j', type: 'webhook', url: 'https://example.com/hook' },
            { id: 'k', type: 'enrol', journey: 'other' },
            { id: 'l', type: 'exit' },
          ],
        },
        { templates: new Set(['welcome']), journeys: new Set(['other']) },
      ),
    ).toEqual([]);
  });

  it('reports an unknown template and journey with their paths', () => {
    expect(
      issues(
        {
          ...base,
          steps: [
            { id: 'a', type: 'send_email', template: 'nope' },
            { id: 'b', type: 'enrol', journey: 'ghost' },
          ],
        },
        { templates: new Set(['welcome']), journeys: new Set() },
      ),
    ).toEqual(['steps.0.template: unknown template "nope"', 'steps.1.journey: unknown journey "ghost"']);
  });

  it('reports unreachable steps', () => {
    expect(
      issues({
        ...base,
        steps: [
          { id: 'a', type: 'exit' },
          { id: 'orphan', type: 'wait', duration: '1d' },
        ],
      }),
    ).toEqual(['steps.1: step "orphan" can never be reached']);
  });

  it('reports a loop with no wait, but allows one with a wait', () => {
    const loop = [
      { id: 'a', type: 'update_contact', addPoints: 1 },
      { id: 'b', type: 'branch', cases: [{ when: { field: 'loyaltyPoints', op: 'lt', value: 10 }, next: 'a' }], otherwise: null },
    ];
    expect(issues({ ...base, steps: loop })).toEqual(['steps.0: loop with no wait: a -> b -> a']);
    expect(
      issues({
        ...base,
        steps: [
          ...loop.slice(0, 1),
          { id: 'w', type: 'wait', duration: '1d' },
          { ...loop[1], cases: [{ when: { field: 'loyaltyPoints', op: 'lt', value: 10 }, next: 'a' }] },
        ],
      }),
    ).toEqual([]);
  });

  it('reports a branch that reads an unknown field, or a response of a non-webhook step', () => {
    expect(
      issues({
        ...base,
        steps: [
          { id: 'b', type: 'branch', cases: [{ when: { field: 'favouriteColour', op: 'eq', value: 'red' }, next: null }], otherwise: null },
        ],
      })[0],
    ).toMatch(/^steps\.0\.cases\.0\.when\.field: must be a contact field/);
    expect(
      issues({
        ...base,
        steps: [
          { id: 'b', type: 'branch', cases: [{ when: { field: 'steps.b.status', op: 'eq', value: 200 }, next: null }], otherwise: null },
        ],
      }),
    ).toEqual(['steps.0.cases.0.when.field: "steps.b.status" refers to "b", which is not a webhook step of this journey']);
  });

  it('reports unknown next steps, bad durations and split percentages', () => {
    expect(issues({ ...base, steps: [{ id: 'a', type: 'wait', duration: 'soon', next: 'zz' }] })).toEqual(
      expect.arrayContaining(['steps.0.duration: must be a duration such as "90s", "30m", "12h", "3d", "2w"']),
    );
    expect(issues({ ...base, steps: [{ id: 'a', type: 'wait', duration: '1d', next: 'zz' }] })).toEqual([
      'steps.0.next: unknown step "zz"',
    ]);
    expect(
      issues({
        ...base,
        steps: [
          {
            id: 's',
            type: 'split',
            variants: [
              { name: 'a', percent: 60, next: null },
              { name: 'b', percent: 60, next: null },
            ],
          },
        ],
      }),
    ).toEqual(['steps.0.variants: variant percentages must add up to 100']);
  });

  it('names the YAML line of a semantic error', () => {
    const yaml = [
      'key: y',
      'name: Y',
      'trigger: { type: api }',
      'steps:',
      '  - id: a',
      '    type: send_email',
      '    template: missing',
    ].join('\n');
    expect(() => parseJourneyYaml('y.yaml', yaml, { templates: new Set() })).toThrowError(
      'y.yaml:7: steps.0.template: unknown template "missing"',
    );
  });

  it('ships a JSON Schema that matches the zod schema', () => {
    const committed = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../journeys/journey.schema.json'), 'utf8'));
    expect(committed).toEqual(journeyJsonSchema()); // run `npm run journeys:schema` after changing journeys/schema.ts
  });
});

describe('journey helpers', () => {
  it('buckets contacts stably and evenly', () => {
    expect(bucket('contact-1:j:ab')).toBe(bucket('contact-1:j:ab'));
    const counts = [0, 0];
    for (let i = 0; i < 2000; i++) counts[bucket(`c${i}:j:ab`) < 50 ? 0 : 1]!++;
    expect(counts[0]).toBeGreaterThan(900);
    expect(counts[1]).toBeGreaterThan(900);
  });

  it('matches property filters, including one-of lists and nested paths', () => {
    expect(matchesFilter({ path: '/pricing', utm: { source: 'ad' } }, { path: '/pricing', 'utm.source': ['ad', 'mail'] })).toBe(true);
    expect(matchesFilter({ path: '/blog' }, { path: '/pricing' })).toBe(false);
  });

  it('applies re-entry policies', () => {
    const now = new Date('2026-06-10T00:00:00Z');
    const started = new Date('2026-06-01T00:00:00Z');
    expect(reentryAllowed('once', started, now)).toBe(false);
    expect(reentryAllowed('always', started, now)).toBe(true);
    expect(reentryAllowed({ cooldown: '7d' }, started, now)).toBe(true);
    expect(reentryAllowed({ cooldown: '30d' }, started, now)).toBe(false);
  });

  it('computes date-trigger moments, including annual ones', () => {
    const now = new Date('2026-06-10T12:00:00Z');
    expect(
      triggerMoment(
        new Date('2026-06-01T00:00:00Z'),
        { type: 'date', field: 'lastPurchaseAt', offset: '30d', annual: false },
        now,
      )?.toISOString(),
    ).toBe('2026-07-01T00:00:00.000Z');
    expect(
      triggerMoment('1990-08-15', { type: 'date', field: 'attributes.birthday', offset: '0d', annual: true }, now)?.toISOString(),
    ).toBe('2026-08-15T00:00:00.000Z');
    expect(
      triggerMoment('1990-03-15', { type: 'date', field: 'attributes.birthday', offset: '-1d', annual: true }, now)?.toISOString(),
    ).toBe('2027-03-14T00:00:00.000Z');
    expect(triggerMoment(null, { type: 'date', field: 'lastPurchaseAt', offset: '0d', annual: false }, now)).toBeNull();
  });

  it('finds the next window in a time zone', () => {
    // Friday 2026-11-27 18:30 in Paris (17:30 UTC) -> Monday 09:00 Paris (08:00 UTC)
    const at = nextWindowStart(new Date('2026-11-27T17:30:00Z'), 'Europe/Paris', ['mon', 'tue', 'wed', 'thu', 'fri'], '09:00', '17:00');
    expect(at.toISOString()).toBe('2026-11-30T08:00:00.000Z');
    const inside = new Date('2026-11-26T10:00:00Z');
    expect(nextWindowStart(inside, 'Europe/Paris', ['thu'], '09:00', '17:00')).toBe(inside);
  });
});

// Property-based tests (fast-check, fixed seeds, bounded runs): the journey
// validator, duration parsing, link tokens and the event schema.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventBatchSchema } from '../../events/schema';
import { MAX_DURATION_MS, parseDuration } from '../../journeys/duration';
import { validateJourney } from '../../journeys/validate';
import { signToken, verifyToken, type TokenPayload } from '../../lib/tokens';
import { isSafeText } from '../../lib/zod-strings';
import { zodDetails } from '../../server/errors';

const opts = { seed: 20261202, numRuns: 300 };
const UNITS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const unit = fc.constantFrom(...(Object.keys(UNITS) as (keyof typeof UNITS)[]));
const stepId = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);

describe('journey definition validator', () => {
  const step = fc.oneof(
    fc.record({ id: stepId, type: fc.constant('wait'), duration: fc.oneof(fc.constant('1d'), fc.string()) }),
    fc.record({ id: stepId, type: fc.constant('send_email'), template: fc.string(), next: fc.option(stepId, { nil: undefined }) }),
    fc.record({
      id: stepId,
      type: fc.constant('branch'),
      cases: fc.array(fc.record({ when: fc.anything(), next: fc.option(stepId) })),
      otherwise: fc.option(stepId),
    }),
    fc.record({ id: stepId, type: fc.constant('goto'), next: stepId }),
    fc.anything(),
  );
  const definition = fc.oneof(
    fc.record(
      {
        key: fc.oneof(stepId, fc.string()),
        name: fc.string(),
        trigger: fc.oneof(fc.record({ type: fc.constant('event'), event: fc.string() }), fc.anything()),
        steps: fc.array(step, { maxLength: 6 }),
      },
      { requiredKeys: [] },
    ),
    fc.anything(),
  );

  it('never throws: it returns ok with a definition, or issues with paths', () => {
    fc.assert(
      fc.property(definition, (raw) => {
        const r = validateJourney(raw);
        if (r.ok) expect(r.definition).toBeDefined();
        else {
          expect(r.issues.length).toBeGreaterThan(0);
          for (const i of r.issues) expect(typeof i.message).toBe('string');
        }
      }),
      opts,
    );
  });
});

describe('duration parsing', () => {
  it('adds up the parts of any well-formed duration', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), unit), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (parts, spaced) => {
          const text = parts.map(([n, u]) => `${n}${spaced ? ' ' : ''}${u}`).join(spaced ? ' ' : '');
          const ms = parts.reduce((a, [n, u]) => a + n * UNITS[u], 0);
          expect(parseDuration(text)).toBe(ms > 0 ? ms : null);
        },
      ),
      opts,
    );
  });

  it('returns null (never throws) for anything else', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const ms = parseDuration(s);
        if (ms !== null) {
          expect(s).toMatch(/^(\s*\d+\s*[smhdw])+\s*$/);
          expect(ms).toBeGreaterThan(0);
        }
      }),
      opts,
    );
  });

  it('the documented maximum is 36500 days', () => {
    expect(MAX_DURATION_MS).toBe(parseDuration('36500d'));
  });
});

describe('link tokens', () => {
  const payload: fc.Arbitrary<TokenPayload> = fc.record(
    {
      p: fc.constantFrom('unsubscribe', 'preferences', 'confirm', 'open', 'click', 'approval'),
      c: fc.uuid(),
      cat: fc.string(),
      s: fc.string(),
      u: fc.webUrl(),
      exp: fc.integer({ min: 2_000_000_000, max: 4_000_000_000 }),
    },
    { requiredKeys: ['p', 'c'] },
  );
  const secret = fc.string({ minLength: 16, maxLength: 40 });

  it('round-trips every payload', () => {
    fc.assert(
      fc.property(secret, payload, (k, p) => {
        expect(verifyToken(k, signToken(k, p))).toEqual(p);
      }),
      opts,
    );
  });

  it('rejects any change to a token, and any other secret', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=%';
    fc.assert(
      fc.property(
        secret,
        payload,
        fc.nat(),
        fc.constantFrom(...alphabet),
        fc.constantFrom('replace', 'insert', 'delete'),
        (k, p, at, ch, how) => {
          const t = signToken(k, p);
          const i = at % t.length;
          const changed =
            how === 'replace'
              ? t.slice(0, i) + ch + t.slice(i + 1)
              : how === 'insert'
                ? t.slice(0, i) + ch + t.slice(i)
                : t.slice(0, i) + t.slice(i + 1);
          fc.pre(changed !== t);
          expect(verifyToken(k, changed)).toBeNull();
          expect(verifyToken(`${k}x`, t)).toBeNull();
        },
      ),
      opts,
    );
  });
});

describe('event schema', () => {
  const type = fc.stringMatching(/^[a-z][a-z0-9_.:-]{0,20}$/);
  const good = fc.record({
    id: fc.string({ minLength: 1, maxLength: 50 }).filter((s) => s.trim() !== '' && isSafeText(s)),
    type,
    contact: fc.oneof(
      fc.record({ email: fc.constantFrom('a@example.com', 'B@Example.org') }),
      fc.record({ externalId: fc.stringMatching(/^[a-z0-9-]{1,20}$/) }),
      fc.record({ id: fc.uuid() }),
    ),
    properties: fc.dictionary(
      fc.stringMatching(/^[a-z]{1,8}$/),
      fc
        .jsonValue({ maxDepth: 4 })
        .filter((v) => isSafeText(JSON.stringify(v)) && !JSON.stringify(v).includes('\\u0000') && !JSON.stringify(v).includes('__proto__')),
    ),
  });

  it('accepts well-formed events, one or in a batch', () => {
    fc.assert(
      fc.property(good, fc.boolean(), (e, batch) => {
        const r = eventBatchSchema.safeParse(batch ? { events: [e] } : e);
        expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
      }),
      opts,
    );
  });

  it('rejects a broken field with an issue naming that field', () => {
    const breakage = fc.constantFrom(
      ['id', ''],
      ['id', 42],
      ['id', 'a\u0000'],
      ['type', 'Not A Type'],
      ['type', ''],
      ['contact', {}],
      ['contact', 'x'],
      ['properties', []],
      ['properties', { x: '\uD800' }],
      ['occurredAt', 'tomorrow'],
    ) as fc.Arbitrary<[string, unknown]>;
    fc.assert(
      fc.property(good, breakage, fc.boolean(), (e, [field, value], batch) => {
        const broken = { ...e, [field]: value };
        const r = eventBatchSchema.safeParse(batch ? { events: [e, broken] } : broken);
        expect(r.success).toBe(false);
        const paths = zodDetails(r.error!).map((d) => d.path);
        for (const p of paths) expect(p.startsWith(batch ? `events.1.${field}` : field)).toBe(true);
      }),
      opts,
    );
  });
});

// Evaluates journey conditions against fresh data (contact record, event
// history in SQL, webhook results), explaining each decision in words for the
// timeline. Runs in activities and in the dispatcher, never in workflow code.
import type { Contact } from '@prisma/client';
import type { Db } from '../lib/db';
import { jsonObject } from '../lib/json';
import { redactEmails } from '../lib/redact';
import { durationMs } from './duration';
import { matchesFilter, readPath } from './match';
import type { Condition } from './schema';

export interface Evaluation {
  result: boolean;
  why: string;
}

type Vars = Record<string, { status: number; body: unknown; error?: string }>;

export function contactField(c: Contact, field: string, vars: Vars = {}): unknown {
  if (field.startsWith('attributes.')) return readPath(c.attributes, field.slice('attributes.'.length));
  if (field.startsWith('steps.')) {
    const [, stepId, ...rest] = field.split('.');
    return readPath(vars[stepId!], rest.join('.'));
  }
  if (field === 'lifetimeSpend') return Number(c.lifetimeSpendCents) / 100;
  // Own fields of the row only (the schema allows CONTACT_FIELDS here).
  const v = readPath(c, field);
  return v instanceof Date ? v.toISOString() : v;
}

function compare(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    const da = Date.parse(a);
    const db = Date.parse(b);
    if (!Number.isNaN(da) && !Number.isNaN(db) && /\d{4}-\d{2}-\d{2}/.test(a)) return da - db;
    return a.localeCompare(b);
  }
  return null;
}

function fieldTest(op: string, got: unknown, want: unknown): boolean {
  switch (op) {
    case 'eq':
      return got === want;
    case 'neq':
      return got !== want;
    case 'gt': {
      const c = compare(got, want);
      return c !== null && c > 0;
    }
    case 'gte': {
      const c = compare(got, want);
      return c !== null && c >= 0;
    }
    case 'lt': {
      const c = compare(got, want);
      return c !== null && c < 0;
    }
    case 'lte': {
      const c = compare(got, want);
      return c !== null && c <= 0;
    }
    case 'in':
      return Array.isArray(want) && want.includes(got as never);
    case 'contains':
      return Array.isArray(got) ? got.includes(want) : typeof got === 'string' && typeof want === 'string' && got.includes(want);
    case 'exists':
      return got !== undefined && got !== null;
    case 'not_exists':
      return got === undefined || got === null;
    default:
      return false;
  }
}

/** Sum of a numeric property (a dotted path) over events; non-numbers add nothing. */
export function sumProperty(properties: unknown[], path: string): number {
  let total = 0;
  for (const p of properties) {
    const v = readPath(p, path);
    if (typeof v === 'number' && Number.isFinite(v)) total += v;
  }
  return total;
}

export function sumTest(total: number, t: { gt?: number; gte?: number; lt?: number; lte?: number; eq?: number }): boolean {
  return (
    (t.gt === undefined || total > t.gt) &&
    (t.gte === undefined || total >= t.gte) &&
    (t.lt === undefined || total < t.lt) &&
    (t.lte === undefined || total <= t.lte) &&
    (t.eq === undefined || total === t.eq)
  );
}

const PERSONAL_FIELDS = new Set(['email', 'ownerEmail', 'phone', 'firstName', 'lastName']);

const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));

/** Where event conditions read the contact's events: SQL here, the simulated ones in a simulation. */
export type EventLookup = (q: { contactId: string; type: string; since?: Date }) => Promise<{ properties: unknown }[]>;

function sqlEvents(db: Db): EventLookup {
  return ({ contactId, type, since }) =>
    db.event.findMany({
      where: { contactId, type, occurredAt: since ? { gte: since } : undefined },
      select: { properties: true },
      take: 10_000,
    });
}

export function evaluateCondition(db: Db, contact: Contact, cond: Condition, vars: Vars = {}, now = new Date()): Promise<Evaluation> {
  return evaluateConditionWith(sqlEvents(db), contact, cond, vars, now);
}

export async function evaluateConditionWith(
  events: EventLookup,
  contact: Contact,
  cond: Condition,
  vars: Vars = {},
  now = new Date(),
): Promise<Evaluation> {
  if ('field' in cond) {
    const got = contactField(contact, cond.field, vars);
    const result = fieldTest(cond.op, got, cond.value);
    // Explanations land in logs, histories and the timeline: no addresses in them.
    const why = `${cond.field} is ${PERSONAL_FIELDS.has(cond.field) ? '[hidden]' : show(got)}, ${result ? '' : 'not '}${cond.op} ${cond.value === undefined ? '' : show(cond.value)}`;
    return { result, why: redactEmails(why).trim() };
  }
  if ('event' in cond) {
    const since = cond.within ? new Date(now.getTime() - durationMs(cond.within)) : undefined;
    const rows = await events({ contactId: contact.id, type: cond.event, since });
    const matching = rows.filter((r) => matchesFilter(jsonObject(r.properties), cond.where));
    const n = matching.length;
    // With a sum and no count, only the sum is tested.
    const count = cond.count ?? (cond.sum ? {} : { gte: 1 });
    let result =
      (count.gte === undefined || n >= count.gte) &&
      (count.lte === undefined || n <= count.lte) &&
      (count.eq === undefined || n === count.eq);
    const window = cond.within ? ` in the last ${cond.within}` : '';
    if (cond.sum) {
      const { property, ...test } = cond.sum;
      const total = sumProperty(
        matching.map((r) => r.properties),
        property,
      );
      result &&= sumTest(total, test);
      return {
        result,
        why: `${n} "${cond.event}" event(s)${window} with ${property} adding up to ${total}; wanted ${JSON.stringify(cond.count ? { count, sum: test } : test)}`,
      };
    }
    return { result, why: `${n} "${cond.event}" event(s)${window}; wanted ${JSON.stringify(count)}` };
  }
  if ('all' in cond) {
    const parts: string[] = [];
    for (const c of cond.all) {
      const e = await evaluateConditionWith(events, contact, c, vars, now);
      parts.push(e.why);
      if (!e.result) return { result: false, why: parts.join(' and ') };
    }
    return { result: true, why: parts.join(' and ') };
  }
  if ('any' in cond) {
    const parts: string[] = [];
    for (const c of cond.any) {
      const e = await evaluateConditionWith(events, contact, c, vars, now);
      if (e.result) return { result: true, why: e.why };
      parts.push(e.why);
    }
    return { result: false, why: parts.join(' and ') };
  }
  const inner = await evaluateConditionWith(events, contact, cond.not, vars, now);
  return { result: !inner.result, why: `not (${inner.why})` };
}

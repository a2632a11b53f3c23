// Compiles a condition (the journey condition format, journeys/schema.ts) to a
// parameterised SQL predicate over `contacts c`, with EXISTS / COUNT / SUM
// subqueries over `events` for behaviour. Every value the marketer wrote is a
// bound parameter (Prisma.sql); only constant column names are raw SQL.
//
// The predicate means exactly what journeys/conditions.ts (the evaluator run by
// journeys) decides for one contact; test/segments/sql.test.ts checks both on the
// same data. Every leaf is a non-null boolean, so `not` never meets SQL's NULL.
// Known differences, documented in the README: ordering of free text
// (gt/lt on strings that are not dates) follows the database collation, not
// JavaScript's localeCompare; sums are exact decimals in SQL.
import { Prisma } from '@prisma/client';
import { durationMs } from '../journeys/duration';
import { type CONTACT_FIELDS, type Condition } from '../journeys/schema';

type Scalar = string | number | boolean | null;
type Kind = 'text' | 'number' | 'date' | 'bool' | 'tags';

const raw = (s: string) => Prisma.raw(s);
const TRUE = raw('TRUE');
const FALSE = raw('FALSE');

/** The SQL behind each contact field conditions may read (constants only). */
export const SEGMENT_FIELDS: Partial<Record<(typeof CONTACT_FIELDS)[number], { sql: string; kind: Kind }>> = {
  email: { sql: 'c."email"', kind: 'text' },
  firstName: { sql: 'c."first_name"', kind: 'text' },
  lastName: { sql: 'c."last_name"', kind: 'text' },
  company: { sql: 'c."company"', kind: 'text' },
  timeZone: { sql: 'c."time_zone"', kind: 'text' },
  locale: { sql: 'c."locale"', kind: 'text' },
  currency: { sql: 'c."currency"', kind: 'text' },
  tier: { sql: 'c."tier"', kind: 'text' },
  ownerEmail: { sql: 'c."owner_email"', kind: 'text' },
  tags: { sql: 'c."tags"', kind: 'tags' },
  lifetimeSpend: { sql: '(c."lifetime_spend_cents"::numeric / 100)', kind: 'number' },
  loyaltyPoints: { sql: 'c."loyalty_points"', kind: 'number' },
  purchaseCount: { sql: 'c."purchase_count"', kind: 'number' },
  newslettersSinceLastClick: { sql: 'c."newsletters_since_last_click"', kind: 'number' },
  lastPurchaseAt: { sql: 'c."last_purchase_at"', kind: 'date' },
  firstPurchaseAt: { sql: 'c."first_purchase_at"', kind: 'date' },
  nextPurchaseDueAt: { sql: 'c."next_purchase_due_at"', kind: 'date' },
  newsletterSunsetAt: { sql: 'c."newsletter_sunset_at"', kind: 'date' },
  lastClickAt: { sql: 'c."last_click_at"', kind: 'date' },
  lastOpenAt: { sql: 'c."last_open_at"', kind: 'date' },
  createdAt: { sql: 'c."created_at"', kind: 'date' },
  marketingConsent: { sql: 'c."marketing_consent"', kind: 'bool' },
};

export class SegmentConditionError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

/** Problems that make a (schema-valid) condition unusable as a segment. */
export function segmentIssues(cond: Condition, path: (string | number)[] = []): { path: (string | number)[]; message: string }[] {
  if ('field' in cond) {
    if (cond.field.startsWith('steps.'))
      return [{ path: [...path, 'field'], message: 'webhook step results exist only inside a journey run, not in segments' }];
    if (!cond.field.startsWith('attributes.') && !(cond.field in SEGMENT_FIELDS)) {
      return [{ path: [...path, 'field'], message: `"${cond.field}" is not supported in segments` }];
    }
    return [];
  }
  if ('event' in cond) return [];
  if ('all' in cond) return cond.all.flatMap((c, i) => segmentIssues(c, [...path, 'all', i]));
  if ('any' in cond) return cond.any.flatMap((c, i) => segmentIssues(c, [...path, 'any', i]));
  return segmentIssues(cond.not, [...path, 'not']);
}

const nonNull = (s: Prisma.Sql) => Prisma.sql`COALESCE((${s}), FALSE)`;
const parsesAsDate = (s: string) => !Number.isNaN(Date.parse(s));
const opSql = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
type Ordering = keyof typeof opSql;

function listOf(value: unknown): Scalar[] {
  return Array.isArray(value) ? (value as Scalar[]) : [];
}

function inList(col: Prisma.Sql, list: Scalar[], type: 'text' | 'numeric' | 'boolean', pick: (v: Scalar) => boolean): Prisma.Sql {
  const values = list.filter(pick);
  const parts: Prisma.Sql[] = [];
  if (values.length > 0) parts.push(nonNull(Prisma.sql`${col} = ANY(${values}::${raw(`${type}[]`)})`));
  if (list.includes(null)) parts.push(Prisma.sql`(${col} IS NULL)`);
  return parts.length === 0 ? FALSE : Prisma.sql`(${Prisma.join(parts, ' OR ')})`;
}

/** ISO text of a timestamp column, as the evaluator sees it (Date#toISOString). */
const iso = (col: Prisma.Sql) => Prisma.sql`to_char(${col}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

function columnTest(col: Prisma.Sql, kind: Kind, op: string, value: unknown): Prisma.Sql {
  switch (op) {
    case 'exists':
      return Prisma.sql`(${col} IS NOT NULL)`;
    case 'not_exists':
      return Prisma.sql`(${col} IS NULL)`;
    case 'neq':
      return Prisma.sql`(NOT ${columnTest(col, kind, 'eq', value)})`;
    case 'eq':
      if (value === null) return Prisma.sql`(${col} IS NULL)`;
      if (kind === 'text' && typeof value === 'string') return nonNull(Prisma.sql`${col} = ${value}::text`);
      if (kind === 'date' && typeof value === 'string') return nonNull(Prisma.sql`${iso(col)} = ${value}::text`);
      if (kind === 'number' && typeof value === 'number') return nonNull(Prisma.sql`${col} = ${value}::numeric`);
      if (kind === 'bool' && typeof value === 'boolean') return nonNull(Prisma.sql`${col} = ${value}::boolean`);
      return FALSE;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const o = raw(opSql[op as Ordering]);
      if (kind === 'number' && typeof value === 'number') return nonNull(Prisma.sql`${col} ${o} ${value}::numeric`);
      if (kind === 'date' && typeof value === 'string') {
        if (parsesAsDate(value)) {
          const at = new Date(Date.parse(value)).toISOString();
          return nonNull(Prisma.sql`${col} ${o} (${at}::timestamptz AT TIME ZONE 'UTC')`);
        }
        return nonNull(Prisma.sql`${iso(col)} ${o} ${value}::text`);
      }
      if (kind === 'text' && typeof value === 'string') return textOrdering(col, o, value);
      return FALSE;
    }
    case 'in': {
      const list = listOf(value);
      if (kind === 'text') return inList(col, list, 'text', (v) => typeof v === 'string');
      if (kind === 'date') return inList(iso(col), list, 'text', (v) => typeof v === 'string');
      if (kind === 'number') return inList(col, list, 'numeric', (v) => typeof v === 'number');
      if (kind === 'bool') return inList(col, list, 'boolean', (v) => typeof v === 'boolean');
      return FALSE; // a list is never "in" a list of scalars
    }
    case 'contains':
      if (typeof value !== 'string') return FALSE;
      if (kind === 'tags') return nonNull(Prisma.sql`${value}::text = ANY(${col})`);
      if (kind === 'text') return nonNull(Prisma.sql`strpos(${col}, ${value}::text) > 0`);
      if (kind === 'date') return nonNull(Prisma.sql`strpos(${iso(col)}, ${value}::text) > 0`);
      return FALSE;
    default:
      return FALSE;
  }
}

/** Dates compare as instants (when both sides look like dates), other text by the collation. */
function textOrdering(text: Prisma.Sql, o: Prisma.Sql, value: string): Prisma.Sql {
  if (parsesAsDate(value)) {
    const at = new Date(Date.parse(value)).toISOString();
    // Guarded so that a malformed stored value never makes the cast fail.
    return nonNull(Prisma.sql`CASE WHEN ${text} ~ '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}(:?\\d{2})?)?)?$'
      THEN (${text})::timestamptz ${o} ${at}::timestamptz ELSE ${text} ${o} ${value}::text END`);
  }
  return nonNull(Prisma.sql`${text} ${o} ${value}::text`);
}

function attributeTest(name: string, op: string, value: unknown): Prisma.Sql {
  const a = Prisma.sql`(c."attributes" -> ${name}::text)`;
  const t = Prisma.sql`jsonb_typeof(${a})`;
  const text = Prisma.sql`(c."attributes" ->> ${name}::text)`;
  switch (op) {
    case 'exists':
      return nonNull(Prisma.sql`${t} <> 'null'`);
    case 'not_exists':
      return Prisma.sql`(NOT ${attributeTest(name, 'exists', value)})`;
    case 'neq':
      return Prisma.sql`(NOT ${attributeTest(name, 'eq', value)})`;
    case 'eq':
      if (Array.isArray(value)) return FALSE;
      return nonNull(Prisma.sql`${a} = ${JSON.stringify(value ?? null)}::jsonb`);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const o = raw(opSql[op as Ordering]);
      if (typeof value === 'number') {
        return Prisma.sql`(CASE WHEN ${t} = 'number' THEN (${text})::numeric ${o} ${value}::numeric ELSE FALSE END)`;
      }
      if (typeof value === 'string') {
        // The evaluator compares as dates when the stored value looks like one.
        if (parsesAsDate(value)) return Prisma.sql`(CASE WHEN ${t} = 'string' THEN ${textOrdering(text, o, value)} ELSE FALSE END)`;
        return Prisma.sql`(CASE WHEN ${t} = 'string' THEN ${nonNull(Prisma.sql`${text} ${o} ${value}::text`)} ELSE FALSE END)`;
      }
      return FALSE;
    }
    case 'in': {
      const list = listOf(value);
      if (list.length === 0) return FALSE;
      return nonNull(Prisma.sql`EXISTS (SELECT 1 FROM jsonb_array_elements(${JSON.stringify(list)}::jsonb) AS w(v) WHERE w.v = ${a})`);
    }
    case 'contains': {
      if (Array.isArray(value) || value === undefined) return FALSE;
      const inArray = Prisma.sql`${a} @> ${JSON.stringify([value])}::jsonb`;
      const inString = typeof value === 'string' ? Prisma.sql`strpos(${text}, ${value}::text) > 0` : FALSE;
      return Prisma.sql`(CASE ${t} WHEN 'array' THEN ${nonNull(inArray)} WHEN 'string' THEN ${nonNull(inString)} ELSE FALSE END)`;
    }
    default:
      return FALSE;
  }
}

/** `e.properties` at a dotted path equals the JSON value (strict, like the evaluator's ===). */
function propertyEquals(path: string, value: unknown): Prisma.Sql {
  return nonNull(Prisma.sql`e."properties" #> ${path.split('.')}::text[] = ${JSON.stringify(value ?? null)}::jsonb`);
}

function eventTest(cond: Extract<Condition, { event: string }>, now: Date): Prisma.Sql {
  const filters: Prisma.Sql[] = [Prisma.sql`e."contact_id" = c."id"`, Prisma.sql`e."type" = ${cond.event}::text`];
  if (cond.within) {
    const since = new Date(now.getTime() - durationMs(cond.within)).toISOString();
    filters.push(Prisma.sql`e."occurred_at" >= (${since}::timestamptz AT TIME ZONE 'UTC')`);
  }
  for (const [key, want] of Object.entries(cond.where ?? {})) {
    // A list means "any of these": an OR of exact matches.
    const alternatives = Array.isArray(want) ? want : [want];
    filters.push(
      alternatives.length === 0
        ? FALSE
        : Prisma.sql`(${Prisma.join(
            alternatives.map((w) => propertyEquals(key, w)),
            ' OR ',
          )})`,
    );
  }
  const where = Prisma.join(filters, ' AND ');
  const tests: Prisma.Sql[] = [];
  const count = cond.count ?? (cond.sum ? {} : { gte: 1 });
  const isExists = count.gte === 1 && count.lte === undefined && count.eq === undefined;
  if (isExists) {
    tests.push(Prisma.sql`EXISTS (SELECT 1 FROM "events" e WHERE ${where})`);
  } else if (count.gte !== undefined || count.lte !== undefined || count.eq !== undefined) {
    const n = Prisma.sql`(SELECT count(*) FROM "events" e WHERE ${where})`;
    if (count.gte !== undefined) tests.push(Prisma.sql`${n} >= ${count.gte}::bigint`);
    if (count.lte !== undefined) tests.push(Prisma.sql`${n} <= ${count.lte}::bigint`);
    if (count.eq !== undefined) tests.push(Prisma.sql`${n} = ${count.eq}::bigint`);
  }
  if (cond.sum) {
    const path = cond.sum.property.split('.');
    const total = Prisma.sql`(SELECT COALESCE(sum(CASE WHEN jsonb_typeof(e."properties" #> ${path}::text[]) = 'number'
      THEN (e."properties" #>> ${path}::text[])::numeric END), 0) FROM "events" e WHERE ${where})`;
    for (const k of ['gt', 'gte', 'lt', 'lte', 'eq'] as const) {
      const v = cond.sum[k];
      if (v !== undefined) tests.push(Prisma.sql`${total} ${raw(k === 'eq' ? '=' : opSql[k])} ${v}::numeric`);
    }
  }
  return tests.length === 0 ? TRUE : Prisma.sql`(${Prisma.join(tests, ' AND ')})`;
}

/** A boolean SQL expression over `contacts c` (and `events e` in subqueries). */
export function compileCondition(cond: Condition, now: Date = new Date()): Prisma.Sql {
  if ('field' in cond) {
    if (cond.field.startsWith('attributes.')) return attributeTest(cond.field.slice('attributes.'.length), cond.op, cond.value);
    const f = SEGMENT_FIELDS[cond.field as keyof typeof SEGMENT_FIELDS];
    if (!f) throw new SegmentConditionError(['field'], `"${cond.field}" is not supported in segments`);
    return columnTest(raw(f.sql), f.kind, cond.op, cond.value);
  }
  if ('event' in cond) return eventTest(cond, now);
  if ('all' in cond)
    return Prisma.sql`(${Prisma.join(
      cond.all.map((c) => compileCondition(c, now)),
      ' AND ',
    )})`;
  if ('any' in cond)
    return Prisma.sql`(${Prisma.join(
      cond.any.map((c) => compileCondition(c, now)),
      ' OR ',
    )})`;
  return Prisma.sql`(NOT ${compileCondition(cond.not, now)})`;
}

/** The segment's members: live (not deleted) contacts for which the condition holds. */
export function segmentWhere(cond: Condition, now: Date = new Date()): Prisma.Sql {
  return Prisma.sql`c."deleted_at" IS NULL AND ${compileCondition(cond, now)}`;
}

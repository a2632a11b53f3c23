// Saved segments: a key, a name and a condition in the journey condition format,
// evaluated in SQL (segments/compile.ts) for counts, samples and broadcasts.
import { type Prisma } from '@prisma/client';
import { z } from 'zod';
import type { Db } from '../lib/db';
import { DomainError } from '../lib/errors';
import { conditionSchema, type Condition } from '../journeys/schema';
import { safeJson, safeString } from '../lib/zod-strings';
import { segmentIssues, segmentWhere } from './compile';

export const segmentKeySchema = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, _ or - (max 63)');

/** The body of POST/PUT /v1/segments/:key. */
export const segmentBodySchema = z
  .strictObject({
    key: segmentKeySchema.optional().describe('If given, must match the URL'),
    name: safeString().trim().min(1).max(200),
    description: safeString().max(2000).optional(),
    condition: safeJson(conditionSchema),
  })
  .superRefine((body, ctx) => {
    for (const issue of segmentIssues(body.condition, ['condition']))
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
export type SegmentBody = z.infer<typeof segmentBodySchema>;

type Tx = Db | Prisma.TransactionClient;

/** Contact ids in the segment (tests and small audiences; broadcasts insert in SQL). */
export async function segmentContactIds(db: Tx, cond: Condition, now = new Date()): Promise<string[]> {
  const rows = await db.$queryRaw<
    { id: string }[]
  >`SELECT c."id"::text AS id FROM "contacts" c WHERE ${segmentWhere(cond, now)} ORDER BY c."id"`;
  return rows.map((r) => r.id);
}

export async function segmentCount(db: Tx, cond: Condition, now = new Date()): Promise<number> {
  const rows = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "contacts" c WHERE ${segmentWhere(cond, now)}`;
  return rows[0]?.n ?? 0;
}

/** The most recently created members, for a look before use. */
export async function segmentSample(db: Db, cond: Condition, limit: number, now = new Date()) {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT c."id"::text AS id FROM "contacts" c WHERE ${segmentWhere(cond, now)}
    ORDER BY c."created_at" DESC, c."id" LIMIT ${limit}::int`;
  const contacts = await db.contact.findMany({
    where: { id: { in: rows.map((r) => r.id) } },
    select: { id: true, email: true, firstName: true, lastName: true, tier: true, tags: true, createdAt: true },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
  });
  return contacts;
}

/** A stored condition that today's rules refuse (saved by an older version, or edited in the database). */
export class StoredConditionError extends DomainError {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(
      'conflict',
      'segment_invalid',
      `the stored condition is no longer valid (${issues[0]?.path || 'condition'}: ${issues[0]?.message}); save the segment again with PUT`,
      issues,
    );
  }
}

/** Parses a stored condition (it was validated when saved, maybe under older rules). */
export function storedCondition(json: Prisma.JsonValue): Condition {
  const r = segmentBodySchema.shape.condition.safeParse(json);
  if (r.success && segmentIssues(r.data).length === 0) return r.data;
  const issues = r.success
    ? segmentIssues(r.data).map((i) => ({ path: ['condition', ...i.path].join('.'), message: i.message }))
    : r.error.issues.map((i) => ({ path: ['condition', ...i.path.map(String)].join('.'), message: i.message }));
  throw new StoredConditionError(issues);
}

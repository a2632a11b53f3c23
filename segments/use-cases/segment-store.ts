// Saved segments as the API shows them, and reading one by key.
import type { Prisma, Segment } from '@prisma/client';
import type { Db } from '../../lib/db';
import { NotFoundError } from '../../lib/errors';
import type { SegmentBody } from '../service';

export function segmentView(s: Segment) {
  return {
    key: s.key,
    name: s.name,
    description: s.description,
    condition: s.condition,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

export async function loadSegment(db: Db, key: string): Promise<Segment> {
  const s = await db.segment.findUnique({ where: { key } });
  if (!s) throw new NotFoundError('segment_not_found', `no segment "${key}"`);
  return s;
}

/** The columns a body sets. */
export function segmentData(b: SegmentBody) {
  return { name: b.name, description: b.description ?? null, condition: b.condition as Prisma.InputJsonObject };
}

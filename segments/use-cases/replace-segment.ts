// Creates or replaces a segment; says which.
import type { Db } from '../../lib/db';
import type { SegmentBody } from '../service';
import { segmentData, segmentView } from './segment-store';

export async function replaceSegment(db: Db, key: string, body: SegmentBody) {
  const data = segmentData(body);
  const existed = await db.segment.findUnique({ where: { key }, select: { id: true } });
  const s = await db.segment.upsert({ where: { key }, create: { key, ...data }, update: data });
  return { segment: segmentView(s), created: !existed };
}

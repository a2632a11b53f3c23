// Creates a segment; ConflictError if the key is taken (PUT replaces).
import type { Db } from '../../lib/db';
import { ConflictError } from '../../lib/errors';
import type { SegmentBody } from '../service';
import { segmentData, segmentView } from './segment-store';

export async function createSegment(db: Db, key: string, body: SegmentBody) {
  const created = await db.segment.createMany({ data: [{ key, ...segmentData(body) }], skipDuplicates: true });
  if (created.count === 0) throw new ConflictError('segment_exists', `segment "${key}" exists; PUT replaces it`);
  return segmentView(await db.segment.findUniqueOrThrow({ where: { key } }));
}

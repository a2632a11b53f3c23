import type { Db } from '../../lib/db';
import { segmentView } from './segment-store';

export async function listSegments(db: Db) {
  return (await db.segment.findMany({ orderBy: { key: 'asc' } })).map(segmentView);
}

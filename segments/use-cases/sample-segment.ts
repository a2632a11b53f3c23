// A sample of a saved segment's contacts, with the count.
// A stored condition that no longer validates is a StoredConditionError (409).
import type { Db } from '../../lib/db';
import { segmentCount, segmentSample, storedCondition } from '../service';
import { loadSegment } from './segment-store';

export async function sampleSegment(db: Db, key: string, limit: number) {
  const s = await loadSegment(db, key);
  const condition = storedCondition(s.condition);
  const contacts = await segmentSample(db, condition, limit);
  return { key: s.key, count: await segmentCount(db, condition), contacts };
}

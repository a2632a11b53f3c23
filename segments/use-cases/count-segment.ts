// How many contacts a saved segment holds now.
// A stored condition that no longer validates is a StoredConditionError (409).
import type { Db } from '../../lib/db';
import { segmentCount, storedCondition } from '../service';
import { loadSegment } from './segment-store';

export async function countSegment(db: Db, key: string) {
  const s = await loadSegment(db, key);
  return { key: s.key, count: await segmentCount(db, storedCondition(s.condition)) };
}

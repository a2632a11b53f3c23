// A saved segment as a SQL condition on the contacts table (alias `c`), for
// queries that narrow to its members (the workspace's contact search).
// A stored condition that no longer validates is a StoredConditionError (409).
import type { Prisma } from '@prisma/client';
import type { Db } from '../../lib/db';
import { segmentWhere } from '../compile';
import { storedCondition } from '../service';
import { loadSegment } from './segment-store';

export async function segmentFilter(db: Db, key: string, now = new Date()): Promise<Prisma.Sql> {
  const s = await loadSegment(db, key);
  return segmentWhere(storedCondition(s.condition), now);
}

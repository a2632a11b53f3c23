// A condition's count and newest members, before it is saved as a segment.
import type { Db } from '../../lib/db';
import { InvalidInputError } from '../../lib/errors';
import type { Condition } from '../../journeys/schema';
import { segmentIssues } from '../compile';
import { segmentCount, segmentSample } from '../service';

export async function previewSegment(db: Db, condition: Condition, limit: number) {
  const issues = segmentIssues(condition, ['condition']).map((i) => ({ path: i.path.join('.'), message: i.message }));
  if (issues.length > 0) throw new InvalidInputError('validation_failed', `${issues[0]!.path}: ${issues[0]!.message}`, issues);
  const [count, contacts] = await Promise.all([segmentCount(db, condition), segmentSample(db, condition, limit)]);
  return { count, contacts };
}

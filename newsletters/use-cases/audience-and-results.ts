// What the workspace shows of newsletters beyond the /v1 API: how many a
// newsletter to a saved segment would reach now, and a sent one's results.
import type { Db } from '../../lib/db';
import { ConflictError, NotFoundError } from '../../lib/errors';
import { storedCondition, StoredConditionError } from '../../segments/service';
import { newsletterAudience, newsletterResults } from '../results';

export async function audienceOfSegment(db: Db, key: string) {
  const s = await db.segment.findUnique({ where: { key } });
  if (!s) throw new NotFoundError('segment_not_found', `no segment "${key}"`);
  try {
    return { segment: key, ...(await newsletterAudience(db, storedCondition(s.condition))) };
  } catch (err) {
    if (err instanceof StoredConditionError) throw new ConflictError('segment_invalid', err.message, err.issues);
    throw err;
  }
}

export async function resultsOfNewsletter(db: Db, id: string) {
  if (!(await db.broadcast.findUnique({ where: { id }, select: { id: true } })))
    throw new NotFoundError('newsletter_not_found', 'no such newsletter');
  return { id, results: await newsletterResults(db, id) };
}

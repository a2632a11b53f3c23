// Checks a definition (shape and meaning) against the templates and journeys
// that exist, without saving it.
import { issueDetails, type ErrorDetail } from '../../lib/errors';
import type { Db } from '../../lib/db';
import { validateJourney } from '../validate';
import { validationContext } from './load';

export async function validateDefinition(db: Db, body: unknown): Promise<{ valid: boolean; issues: ErrorDetail[] }> {
  const key = typeof body === 'object' && body !== null && 'key' in body && typeof body.key === 'string' ? body.key : undefined;
  const v = validateJourney(body, await validationContext(db, key));
  return { valid: v.ok, issues: issueDetails(v.issues) };
}

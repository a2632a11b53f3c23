// Saves a journey's draft, validated. Publishing is a separate, explicit step.
import type { Prisma } from '@prisma/client';
import { InvalidInputError, issueDetails } from '../../lib/errors';
import type { Db } from '../../lib/db';
import type { DefinitionIssue } from '../validate';
import { validateJourney } from '../validate';
import { validationContext } from './load';

/** 400-kind error listing every issue, the first one in the message. */
export function invalidJourney(issues: DefinitionIssue[], prefix = ''): InvalidInputError {
  const details = issueDetails(issues, prefix);
  return new InvalidInputError('invalid_journey', `${details[0]?.path}: ${details[0]?.message}`, details);
}

export async function saveDraft(db: Db, key: string, body: unknown) {
  const v = validateJourney(body, await validationContext(db, key));
  if (!v.ok) throw invalidJourney(v.issues);
  if (v.definition.key !== key) {
    throw new InvalidInputError('validation_failed', 'key in the body must match the URL', [{ path: 'key', message: `must be "${key}"` }]);
  }
  // A parsed definition is plain JSON data.
  const draft = v.definition as Prisma.InputJsonObject;
  const j = await db.journeyDefinition.upsert({
    where: { key },
    create: { key, name: v.definition.name, draft },
    update: { name: v.definition.name, draft },
  });
  return { key: j.key, status: j.status, draft: j.draft };
}

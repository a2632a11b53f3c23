// Publishes a journey's draft as a new immutable version (or answers the
// latest one when nothing changed).
import type { Db } from '../../lib/db';
import { publishJourney } from '../store';
import { validateJourney } from '../validate';
import { loadJourney, validationContext } from './load';
import { invalidJourney } from './save-draft';

export async function publishDraft(db: Db, key: string): Promise<{ version: number; created: boolean }> {
  const j = await loadJourney(db, key);
  const v = validateJourney(j.draft, await validationContext(db, j.key));
  if (!v.ok) throw invalidJourney(v.issues, 'draft');
  return publishJourney(db, v.definition);
}

// Shipped journey definitions with their waits cut to seconds, for integration
// tests on the real dev server (where time does not skip).
import { readJourneyFiles } from '../../journeys/files';
import { journeyDefinitionSchema, type JourneyDefinition } from '../../journeys/schema';
import { publishJourney } from '../../journeys/store';
import type { Db } from '../../lib/db';

const DURATION_FIELDS = new Set(['duration', 'timeout', 'deadline', 'due', 'expiresIn', 'cooldown']);

function shorten(value: unknown, to: (field: string, was: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => shorten(v, to));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, DURATION_FIELDS.has(k) && typeof v === 'string' ? to(k, v) : shorten(v, to)]),
    );
  }
  return value;
}

/** Publishes a new version of a shipped journey with every duration replaced. */
export async function publishShortened(
  db: Db,
  key: string,
  to: (field: string, was: string) => string = () => '1s',
): Promise<JourneyDefinition> {
  const def = readJourneyFiles().find((d) => d.key === key);
  if (!def) throw new Error(`no shipped journey "${key}"`);
  const short = journeyDefinitionSchema.parse(shorten(def, to));
  await publishJourney(db, short);
  return short;
}

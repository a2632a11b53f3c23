// Journeys in the database: a draft per journey and immutable published versions.
import { createHash } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { sqlOf, type Db } from '../lib/db';
import { BoundedCache } from '../lib/bounded-cache';
import { journeyDefinitionSchema, type JourneyDefinition } from './schema';

function checksum(def: JourneyDefinition): string {
  return createHash('sha256').update(JSON.stringify(def)).digest('hex');
}

/** Publishes a definition; returns its version (the latest one if nothing changed). */
export async function publishJourney(db: Db, def: JourneyDefinition): Promise<{ version: number; created: boolean }> {
  const sum = checksum(def);
  // A parsed definition is plain JSON data.
  const json = def as Prisma.InputJsonObject;
  return db.$transaction(async (tx) => {
    const j = await tx.journeyDefinition.upsert({
      where: { key: def.key },
      create: { key: def.key, name: def.name, draft: json },
      update: { name: def.name, draft: json },
    });
    await tx.$executeRaw`SELECT id FROM journey_definitions WHERE id = ${j.id}::uuid FOR UPDATE`;
    const latest = await tx.journeyVersion.findFirst({ where: { journeyId: j.id }, orderBy: { version: 'desc' } });
    if (latest && latest.checksum.startsWith(sum)) return { version: latest.version, created: false };
    const version = (latest?.version ?? 0) + 1;
    const clash = await tx.journeyVersion.findUnique({ where: { journeyId_checksum: { journeyId: j.id, checksum: sum } } });
    await tx.journeyVersion.create({
      data: { journeyId: j.id, version, definition: json, checksum: clash ? `${sum}:${version}` : sum },
    });
    return { version, created: true };
  });
}

export interface PublishedJourney {
  key: string;
  version: number;
  status: string;
  definition: JourneyDefinition;
}

// Active journeys and their latest version numbers; the definitions come from
// the cache of immutable versions, so a batch of the dispatcher reads a few
// short rows instead of every definition (and validating each) again.
const ACTIVE = `
  SELECT DISTINCT ON (d.id) d.key, d.status, v.version
  FROM journey_definitions d JOIN journey_versions v ON v.journey_id = d.id
  WHERE d.status = 'active'
  ORDER BY d.id, v.version DESC`;

/** The latest published version of every active journey (for routing events). */
export async function activeJourneys(db: Db): Promise<PublishedJourney[]> {
  const r = await sqlOf(db).query<{ key: string; status: string; version: number }>({ name: 'rapport-journeys-active', text: ACTIVE });
  const out: PublishedJourney[] = [];
  for (const row of r.rows) {
    const definition = await journeyVersion(db, row.key, row.version);
    if (definition) out.push({ key: row.key, version: row.version, status: row.status, definition });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** Published versions are immutable; a few per journey are in use at once. */
const versionCache = new BoundedCache<string, JourneyDefinition>(2000);

/** A published version; immutable, so cached forever once read. */
export async function journeyVersion(db: Db, key: string, version: number): Promise<JourneyDefinition | null> {
  const k = `${key}@${version}`;
  const hit = versionCache.get(k);
  if (hit) return hit;
  const row = await db.journeyVersion.findFirst({ where: { version, journey: { key } } });
  if (!row) return null;
  const def = journeyDefinitionSchema.parse(row.definition);
  versionCache.set(k, def);
  return def;
}

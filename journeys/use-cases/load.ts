// Shared by the journey use cases: reading one journey, and what validation
// checks names against (existing templates and journeys).
import { z } from 'zod';
import { NotFoundError } from '../../lib/errors';
import type { Db } from '../../lib/db';
import type { ValidationContext } from '../validate';

/** A journey key as URLs carry it. */
export const journeyKeyParamSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be a journey key');

/** The journey with its versions (newest first); NotFoundError when there is none. */
export async function loadJourney(db: Db, key: string) {
  const j = await db.journeyDefinition.findUnique({
    where: { key },
    include: { versions: { orderBy: { version: 'desc' }, select: { version: true, publishedAt: true, checksum: true } } },
  });
  if (!j) throw new NotFoundError('journey_not_found', `no journey "${key}"`);
  return j;
}

export type LoadedJourney = Awaited<ReturnType<typeof loadJourney>>;

/** Template and journey keys that exist (plus `selfKey`, the journey being validated). */
export async function validationContext(db: Db, selfKey?: string): Promise<Required<ValidationContext>> {
  const [templates, journeys] = await Promise.all([
    db.template.findMany({ select: { key: true } }),
    db.journeyDefinition.findMany({ select: { key: true } }),
  ]);
  return {
    templates: new Set(templates.map((t) => t.key)),
    journeys: new Set([...journeys.map((j) => j.key), ...(selfKey ? [selfKey] : [])]),
  };
}

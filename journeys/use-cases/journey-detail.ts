// One journey, its versions, and where running contacts sit (per version and step).
import { z } from 'zod';
import type { Db } from '../../lib/db';
import { loadJourney } from './load';

/** The part of a stored draft this reads; a draft that lacks it reads as having no steps. */
const draftStepsSchema = z.looseObject({ steps: z.array(z.looseObject({ id: z.string() })).catch([]) }).catch({ steps: [] });

export async function journeyDetail(db: Db, key: string) {
  const j = await loadJourney(db, key);
  const groups = await db.journeyRun.groupBy({
    by: ['journeyVersion', 'currentStep'],
    where: { journeyKey: j.key, status: 'running' },
    _count: true,
  });
  const draftSteps = new Set(draftStepsSchema.parse(j.draft).steps.map((s) => s.id));
  return {
    key: j.key,
    name: j.name,
    status: j.status,
    latestVersion: j.versions[0]?.version ?? null,
    versions: j.versions.map((v) => ({ version: v.version, publishedAt: v.publishedAt })),
    draft: j.draft,
    running: groups.map((g) => ({
      version: g.journeyVersion,
      step: g.currentStep,
      contacts: g._count,
      // Runs stay on the version they started on; this says whether the draft still has their step.
      inDraft: g.currentStep === null ? null : draftSteps.has(g.currentStep),
    })),
  };
}

// Publishes the shipped templates (templates/*.mjml) and journeys
// (journeys/definitions/*.yaml). Idempotent: unchanged content keeps its version.
import type { Db } from '../lib/db';
import { compiled } from '../email/render';
import { readTemplateFiles } from '../email/template-files';
import { publishTemplate } from '../email/template-store';
import { readJourneyFiles } from '../journeys/files';
import { publishJourney } from '../journeys/store';

export interface SeedResult {
  templates: { key: string; version: number; created: boolean }[];
  journeys: { key: string; version: number; created: boolean }[];
}

export async function seedShippedContent(db: Db): Promise<SeedResult> {
  const files = readTemplateFiles();
  const keys = new Set(files.map((f) => f.key));
  const journeys = readJourneyFiles();
  // Refuse to publish a journey that names a template nobody has.
  const known = new Set([...keys, ...(await db.template.findMany({ select: { key: true } })).map((t) => t.key)]);
  for (const j of journeys) {
    for (const [i, s] of j.steps.entries()) {
      if (s.type === 'send_email' && !known.has(s.template)) {
        throw new Error(`journeys/definitions/${j.key}.yaml: steps.${i}.template: unknown template "${s.template}"`);
      }
    }
  }
  const result: SeedResult = { templates: [], journeys: [] };
  for (const f of files) {
    // Compile before publishing so an MJML error stops here, not at send time.
    await compiled({ key: f.key, version: 0, subject: f.meta.subject, preheader: f.meta.preheader, mjml: f.mjml });
    const r = await publishTemplate(db, {
      key: f.key,
      name: f.meta.name,
      category: f.meta.category,
      subject: f.meta.subject,
      preheader: f.meta.preheader,
      mjml: f.mjml,
      from: f.meta.from,
      replyTo: f.meta.replyTo,
    });
    result.templates.push({ key: f.key, ...r });
  }
  for (const j of journeys) result.journeys.push({ key: j.key, ...(await publishJourney(db, j)) });
  return result;
}

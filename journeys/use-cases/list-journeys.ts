// Every journey with its latest version and how many runs are in it now.
import type { Db } from '../../lib/db';

export async function listJourneySummaries(db: Db) {
  const rows = await db.journeyDefinition.findMany({
    orderBy: { key: 'asc' },
    include: { versions: { orderBy: { version: 'desc' }, take: 1, select: { version: true, publishedAt: true } } },
  });
  const running = await db.journeyRun.groupBy({ by: ['journeyKey'], where: { status: 'running' }, _count: true });
  const counts = new Map(running.map((g) => [g.journeyKey, g._count]));
  return rows.map((j) => ({
    key: j.key,
    name: j.name,
    status: j.status,
    latestVersion: j.versions[0]?.version ?? null,
    publishedAt: j.versions[0]?.publishedAt ?? null,
    running: counts.get(j.key) ?? 0,
  }));
}

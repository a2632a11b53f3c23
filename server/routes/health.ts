import { Router } from 'express';
import type { ServerDeps } from '../context';

async function timed<T>(fn: () => Promise<T>): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
  const t = performance.now();
  try {
    const ok = await Promise.race([
      fn().then((v) => v !== false),
      new Promise<boolean>((_, rej) => setTimeout(() => rej(new Error('timed out after 2 s')), 2000).unref()),
    ]);
    return { ok, latencyMs: Math.round(performance.now() - t) };
  } catch (err) {
    return { ok: false, latencyMs: Math.round(performance.now() - t), error: (err as Error).message.split('\n')[0] };
  }
}

/** GET /health: 200 when the database and Temporal answer, 503 otherwise. */
export function healthRouter(deps: ServerDeps): Router {
  const r = Router();
  r.get('/health', async (_req, res) => {
    const [database, temporal] = await Promise.all([timed(() => deps.db.$queryRaw`SELECT 1`), timed(() => deps.temporalHealthy())]);
    const ok = database.ok && temporal.ok;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', database, temporal });
  });
  // Liveness: the process answers. Never depends on PostgreSQL or Temporal, so a
  // probe on it does not restart a server that is only waiting for them.
  r.get('/health/live', (_req, res) => res.json({ status: 'ok' }));
  // Readiness: the server can accept events, which needs PostgreSQL only (events
  // wait in the outbox while Temporal is away).
  r.get('/health/ready', async (_req, res) => {
    const database = await timed(() => deps.db.$queryRaw`SELECT 1`);
    res.status(database.ok ? 200 : 503).json({ status: database.ok ? 'ok' : 'degraded', database });
  });
  return r;
}

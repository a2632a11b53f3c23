// What one database statement of a journey step costs the worker's thread:
// the same statements through Prisma's model API, Prisma's raw API and
// node-postgres (named, prepared statements), one at a time on one
// connection, in the same run. CPU time is the process's user + system time
// per statement (PostgreSQL runs in its own processes), so the figure is the
// client side's cost, which is what the worker's thread spends.
//
//   npm run bench:query-cost [-- --iterations N]
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDb } from '../lib/db';
import { removeEmbeddedData, startEmbeddedPostgres } from '../stack/postgres';
import { freePort } from '../stack/net';
import { migrate } from '../db/migrate';
import { seedShippedContent } from '../db/seed';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '3000' } } });
const iterations = Number(values.iterations);
if (!Number.isInteger(iterations) || iterations < 100) {
  console.error('--iterations must be a whole number ≥ 100');
  process.exit(2);
}

interface Figure {
  name: string;
  cpuUsPerOp: number;
  wallUsPerOp: number;
}

async function measure(name: string, op: (i: number) => Promise<unknown>): Promise<Figure> {
  for (let i = 0; i < 200; i++) await op(-i - 1); // warm-up: JIT, caches, prepared statements
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await op(i);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { name, cpuUsPerOp: (cpu.user + cpu.system) / iterations, wallUsPerOp: (wall * 1000) / iterations };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-query-cost-'));
  const server = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), port: await freePort() });
  try {
    await server.createDatabase('bench');
    const url = server.url('bench');
    await migrate(url);
    const db = createDb(url, 1);
    await seedShippedContent(db);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const [contact] = await db.contact.createManyAndReturn({ data: [{ email: 'cost@example.com' }] });
    const contactId = contact!.id;
    await db.journeyRun.create({
      data: { workflowId: 'wf-cost', contactId, journeyKey: 'welcome', journeyVersion: 1, currentStep: 'a' },
    });
    const figures: Figure[] = [];
    const say = (f: Figure) => {
      figures.push(f);
      console.log(`  ${f.name.padEnd(44)} ${f.cpuUsPerOp.toFixed(0).padStart(6)} µs CPU  ${f.wallUsPerOp.toFixed(0).padStart(6)} µs wall`);
    };
    console.log(`[query-cost] ${iterations} statements each, one connection, one at a time`);
    console.log("  read: a journey's status");
    say(await measure('prisma findUnique', () => db.journeyDefinition.findUnique({ where: { key: 'welcome' }, select: { status: true } })));
    say(await measure('prisma $queryRaw', () => db.$queryRaw`SELECT status FROM journey_definitions WHERE key = ${'welcome'}`));
    say(
      await measure('node-postgres, prepared', () =>
        pool.query({ name: 'status', text: 'SELECT status FROM journey_definitions WHERE key = $1', values: ['welcome'] }),
      ),
    );
    console.log("  write: a step log and the run's current step");
    say(
      await measure('prisma $transaction [createMany, updateMany]', (i) =>
        db.$transaction([
          db.journeyStepLog.createMany({
            data: [
              {
                logKey: `p:${i}`,
                contactId,
                workflowId: 'wf-cost',
                journeyKey: 'welcome',
                stepId: 's',
                kind: 'wait',
                outcome: 'entered',
                detail: {},
              },
            ],
            skipDuplicates: true,
          }),
          db.journeyRun.updateMany({ where: { workflowId: 'wf-cost' }, data: { currentStep: `s${i}` } }),
        ]),
      ),
    );
    const writeSql = `WITH log AS (
        INSERT INTO journey_step_logs (id, log_key, contact_id, workflow_id, journey_key, step_id, kind, outcome, detail)
        VALUES (gen_random_uuid(), $1, $2::uuid, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT (log_key) DO NOTHING)
      UPDATE journey_runs SET current_step = $5 WHERE workflow_id = $3`;
    say(
      await measure('node-postgres, one statement', (i) =>
        pool.query({
          name: 'step-log',
          text: writeSql,
          values: [`n:${i}`, contactId, 'wf-cost', 'welcome', `s${i}`, 'wait', 'entered', '{}'],
        }),
      ),
    );
    const ratios = {
      read: figures[0]!.cpuUsPerOp / figures[2]!.cpuUsPerOp,
      readRaw: figures[0]!.cpuUsPerOp / figures[1]!.cpuUsPerOp,
      write: figures[3]!.cpuUsPerOp / figures[4]!.cpuUsPerOp,
    };
    console.log(
      `  Prisma's CPU per statement: ${ratios.read.toFixed(1)}× node-postgres's (read), ${ratios.readRaw.toFixed(1)}× its own raw API's, ${ratios.write.toFixed(1)}× for the step log`,
    );
    console.log(JSON.stringify({ iterations, figures, ratios }));
    await pool.end();
    await db.$disconnect();
  } finally {
    await server.stop();
    removeEmbeddedData(join(dir, 'postgres'));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

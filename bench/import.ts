// Measures the bulk contact import end to end: N generated contacts as one CSV
// file, POSTed to /v1/contacts/import on a real server (a background job;
// polled until it finishes) into a fresh database on embedded PostgreSQL.
// Baseline, same run, same PostgreSQL: the same rows with bare COPY (pg +
// pg-copy-streams) into a plain table with the same columns and no indexes or
// constraints — the fastest way those bytes can land in PostgreSQL (best of three);
// and, for scale, COPY into a table with the contacts table's indexes.
// Run: npm run bench:import -- [N]   (default 100,000; last line is JSON)
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadEnv } from '../config/env';
import { migrate } from '../db/migrate';
import { createLogger } from '../lib/logger';
import { startServer } from '../server/main';
import { freePort } from '../stack/net';
import { startEmbeddedPostgres } from '../stack/postgres';
import { ROOT } from '../stack/tools';
import { BENCH_SECRETS } from './support/stack';

const n = Number(process.argv[2] ?? 100_000);
if (!Number.isInteger(n) || n < 1) throw new Error(`N must be a positive integer, got "${process.argv[2]}"`);

const dir = join(ROOT, '.test-data', `bench-import-${process.pid}`);
mkdirSync(dir, { recursive: true });
const csvPath = join(dir, 'contacts.csv');
const copyPath = join(dir, 'contacts.copy.csv');

const PLANS = ['free', 'pro', 'team'];
const ZONES = ['Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'UTC'];
const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The same N contacts twice: as the import's CSV, and as COPY's CSV for the baseline table. */
async function generate(): Promise<void> {
  function* rows(kind: 'import' | 'copy'): Generator<string> {
    if (kind === 'import')
      yield 'email,externalId,firstName,lastName,company,phone,timeZone,locale,currency,tags,attributes.plan,attributes.city\n';
    for (let i = 0; i < n; i++) {
      const tags = i % 3 === 0 ? ['vip', 'webinar'] : ['lead'];
      const plan = PLANS[i % 3]!;
      const city = `City ${i % 97}`;
      const base = [
        `reader${i}@example.com`,
        `crm-${i}`,
        `First${i}`,
        `Last${i}`,
        `Company ${i % 501}`,
        `+1 555 ${String(i).padStart(7, '0')}`,
        ZONES[i % 4]!,
        'en',
        'USD',
      ];
      yield kind === 'import'
        ? `${[...base, tags.join('|'), plan, city].map(q).join(',')}\n`
        : `${[...base, JSON.stringify({ plan, city }), `{${tags.join(',')}}`].map(q).join(',')}\n`;
    }
  }
  await pipeline(Readable.from(rows('import')), createWriteStream(csvPath));
  await pipeline(Readable.from(rows('copy')), createWriteStream(copyPath));
}

const pgServer = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort() });
try {
  await generate();
  await pgServer.createDatabase('bench');
  const url = pgServer.url('bench');
  await migrate(url);

  // Baseline: bare COPY of the same rows into a plain table (best of three: the short
  // baseline is the figure most disturbed by other load on the machine). For scale, also
  // COPY into a table with the contacts table's indexes (unique email and external id).
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const copyInto = async (table: string, indexed: boolean) => {
    await client.query(`CREATE TABLE ${table} (
      id uuid NOT NULL DEFAULT gen_random_uuid(), email text NOT NULL, external_id text, first_name text, last_name text,
      company text, phone text, time_zone text NOT NULL, locale text NOT NULL, currency text NOT NULL,
      attributes jsonb NOT NULL, tags text[] NOT NULL, created_at timestamp(3) NOT NULL DEFAULT now())`);
    if (indexed) {
      await client.query(`ALTER TABLE ${table} ADD PRIMARY KEY (id)`);
      await client.query(`CREATE UNIQUE INDEX ON ${table} (email)`);
      await client.query(`CREATE UNIQUE INDEX ON ${table} (external_id)`);
      await client.query(`CREATE INDEX ON ${table} (created_at)`);
    }
    const t = performance.now();
    await pipeline(
      createReadStream(copyPath),
      client.query(
        copyFrom(
          `COPY ${table} (email, external_id, first_name, last_name, company, phone, time_zone, locale, currency, attributes, tags) FROM STDIN (FORMAT csv)`,
        ),
      ),
    );
    const seconds = (performance.now() - t) / 1000;
    const rows = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    if (rows !== n) throw new Error(`COPY into ${table} wrote ${rows} rows, not ${n}`);
    return seconds;
  };
  const baselineRuns = [await copyInto('baseline_1', false), await copyInto('baseline_2', false), await copyInto('baseline_3', false)];
  const baselineSeconds = Math.min(...baselineRuns);
  const indexedSeconds = await copyInto('baseline_indexed', true);

  // Rapport: the HTTP endpoint on a real server process (in this process), dispatcher off (imports write no events).
  const key = BENCH_SECRETS.RAPPORT_API_KEYS;
  const server = await startServer(
    loadEnv('server', {
      DATABASE_URL: url,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      SMTP_URL: 'smtp://127.0.0.1:1?tls=off',
      HTTP_PORT: '0',
      ...BENCH_SECRETS,
      LOG_LEVEL: 'silent',
      DISPATCHER_ENABLED: 'false',
    }),
    { log: createLogger('bench', 'silent') },
  );
  const size = statSync(csvPath).size;
  const t0 = performance.now();
  const res = await fetch(`${server.url}/v1/contacts/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv', 'content-length': String(size) },
    body: Readable.toWeb(createReadStream(csvPath)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  if (res.status !== 202 && res.status !== 200) throw new Error(`POST /v1/contacts/import answered ${res.status}: ${await res.text()}`);
  type Job = { id: string; status: string; summary: Record<string, number>; progress: { rowsProcessed: number } };
  // 202: a background job to poll; 200 (a body under IMPORT_SYNC_MAX_BYTES): the finished import, summary included.
  const accepted = (await res.json()) as { import: Job };
  const uploadSeconds = (performance.now() - t0) / 1000;
  let job: Job = accepted.import;
  let lastShown = -1;
  while (job.status === 'queued' || job.status === 'running') {
    await new Promise((r) => setTimeout(r, 100));
    const g = await fetch(`${server.url}/v1/contacts/imports/${accepted.import.id}`, { headers: { authorization: `Bearer ${key}` } });
    job = ((await g.json()) as { import: typeof job }).import;
    const step = Math.floor(job.progress.rowsProcessed / Math.max(1, Math.ceil(n / 5)));
    if (step !== lastShown) {
      lastShown = step;
      process.stdout.write(`  ${job.status}: ${job.progress.rowsProcessed}/${n} rows\n`);
    }
  }
  const rapportSeconds = (performance.now() - t0) / 1000;
  await server.close();
  const contacts = Number((await client.query('SELECT count(*) AS n FROM contacts')).rows[0].n);
  await client.end();
  if (job.status !== 'completed' || contacts !== n || job.summary.created !== n) {
    throw new Error(
      `import did not do what was measured: status ${job.status}, ${contacts} contacts, summary ${JSON.stringify(job.summary)}`,
    );
  }

  const rapportPerSecond = n / rapportSeconds;
  const baselinePerSecond = n / baselineSeconds;
  const ratio = rapportPerSecond / baselinePerSecond;
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  process.stdout.write(`${fmt(n)} contacts, ${(size / 1e6).toFixed(1)} MB CSV\n`);
  process.stdout.write(
    `Rapport import (HTTP, validated, upserted): ${rapportSeconds.toFixed(2)} s, ${fmt(rapportPerSecond)} rows/s (upload ${uploadSeconds.toFixed(2)} s, job ${(job.summary.durationMs! / 1000).toFixed(2)} s)\n`,
  );
  process.stdout.write(
    `baseline bare COPY into a plain table:      ${baselineSeconds.toFixed(2)} s, ${fmt(baselinePerSecond)} rows/s (best of ${baselineRuns.map((x) => x.toFixed(2)).join(', ')} s)\n`,
  );
  process.stdout.write(
    `for scale, COPY into a table with contacts' indexes: ${indexedSeconds.toFixed(2)} s, ${fmt(n / indexedSeconds)} rows/s\n`,
  );
  process.stdout.write(
    `ratio (Rapport / baseline): ${ratio.toFixed(3)}; 100,000 contacts would take ${(100_000 / rapportPerSecond).toFixed(1)} s at this rate\n`,
  );
  process.stdout.write(
    `${JSON.stringify({
      n,
      bytes: size,
      rapportSeconds: +rapportSeconds.toFixed(3),
      rapportPerSecond: Math.round(rapportPerSecond),
      baselineSeconds: +baselineSeconds.toFixed(3),
      baselinePerSecond: Math.round(baselinePerSecond),
      indexedCopySeconds: +indexedSeconds.toFixed(3),
      ratio: +ratio.toFixed(4),
      secondsFor100k: +(100_000 / rapportPerSecond).toFixed(2),
    })}\n`,
  );
} finally {
  await pgServer.stop();
  rmSync(dir, { recursive: true, force: true });
}

// The committed SQL migrations are the only way the schema changes. These tests
// apply them to an empty and to an already migrated database, and prove that
// prisma/schema.prisma and the migrations describe the same schema.
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate, MigrationError, MIGRATIONS_DIR, readMigrations } from '../../db/migrate';
import { ROOT } from '../../stack/tools';
import { createEmptyDatabase } from '../support/db';
import { describeSchema } from '../support/schema-snapshot';

const run = promisify(execFile);

async function sql(url: string, text: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

describe('migrations', () => {
  it('apply to an empty database, then are a no-op on a migrated one', async () => {
    const url = await createEmptyDatabase('mig_empty');
    const first = await migrate(url);
    expect(first.applied).toEqual(readMigrations().map((m) => m.name));
    const second = await migrate(url);
    expect(second).toEqual({ applied: [], alreadyApplied: readMigrations().length });
    const tables = await sql(url, `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`);
    expect(tables.rows[0].n).toBeGreaterThan(10);
  });

  it('run once when several processes migrate at the same time', async () => {
    const url = await createEmptyDatabase('mig_race');
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    expect(results.flatMap((r) => r.applied)).toHaveLength(readMigrations().length);
    const rows = await sql(url, 'SELECT count(*)::int AS n FROM _prisma_migrations');
    expect(rows.rows[0].n).toBe(readMigrations().length);
  });

  it('refuse an applied migration that was edited afterwards', async () => {
    const url = await createEmptyDatabase('mig_edit');
    const dir = mkdtempSync(join(tmpdir(), 'rapport-mig-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    await migrate(url, { dir });
    const first = readMigrations(dir)[0]!;
    writeFileSync(join(dir, first.name, 'migration.sql'), `${first.sql}\n-- edited\n`);
    await expect(migrate(url, { dir })).rejects.toThrowError(MigrationError);
  });

  it('roll back a failing migration and leave no trace of it', async () => {
    const url = await createEmptyDatabase('mig_fail');
    const dir = mkdtempSync(join(tmpdir(), 'rapport-mig-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    mkdirSync(join(dir, '99999999999999_broken'));
    writeFileSync(join(dir, '99999999999999_broken', 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;');
    await expect(migrate(url, { dir })).rejects.toThrowError(/99999999999999_broken.*rolled back/);
    const t = await sql(url, `SELECT to_regclass('public.half_done') AS t`);
    expect(t.rows[0].t).toBeNull();
  });

  it('describe exactly the schema in prisma/schema.prisma', async () => {
    const fromMigrations = await createEmptyDatabase('mig_drift_a');
    await migrate(fromMigrations);
    const fromSchema = await createEmptyDatabase('mig_drift_b');
    // Prisma's own SQL for schema.prisma, from nothing (offline WebAssembly engine).
    const { stdout } = await run(
      join(ROOT, 'node_modules', '.bin', 'prisma'),
      ['migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/schema.prisma', '--script'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: fromSchema,
          PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
          PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
          CHECKPOINT_DISABLE: '1',
        },
      },
    );
    expect(stdout).toContain('CREATE TABLE');
    await sql(fromSchema, stdout);
    expect(await describeSchema(fromMigrations)).toEqual(await describeSchema(fromSchema));
  });
});

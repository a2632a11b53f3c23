// A fresh, migrated database per test file on the shared PostgreSQL server.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '../../db/migrate';
import { createDb, type Db } from '../../lib/db';

export function databaseUrl(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createEmptyDatabase(prefix: string): Promise<string> {
  const admin = inject('pgAdminUrl');
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return databaseUrl(admin, name);
}

export interface TestDb {
  url: string;
  db: Db;
  close(): Promise<void>;
}

export async function freshDatabase(prefix: string): Promise<TestDb> {
  const url = await createEmptyDatabase(prefix);
  await migrate(url);
  const db = createDb(url, 5);
  return { url, db, close: () => db.$disconnect() };
}

// Prisma CLI configuration. We use only `prisma generate` and
// `prisma migrate diff` (which needs no database). With `engine: 'js'` the CLI
// uses the WebAssembly schema engine shipped in the npm package instead of
// downloading a native one, so both work offline. Migrations are applied by
// our own runner: `npm run migrate` (see README, "Database migrations").
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Never connected to by `migrate diff --from-empty`; required by `engine: 'js'`.
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL ?? 'postgresql://localhost/unused' }),
});

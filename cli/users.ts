// Workspace accounts from the command line:
//   npm run users -- list
//   npm run users -- add <email> [--role admin|marketer|viewer] [--name "Ada L."] [--password <pw>]
//   npm run users -- remove <email>
//   npm run users -- reset-password <email> [--password <pw>]
//   npm run users -- role <email> <admin|marketer|viewer>
// Uses DATABASE_URL; without it, the embedded stack's database (`npm start`, port EMBEDDED_PG_PORT).
// Generated passwords are printed once; pass --password to choose one (at least 12 characters).
import { parseArgs } from 'node:util';
import { ConfigError, loadEnv } from '../config/env';
import { createDb } from '../lib/db';
import { roleSchema } from '../users/schema';
import { createUser, listUsers, removeUser, resetPassword, setRole, UserError } from '../users/service';

const USAGE = `usage: npm run users -- <list|add|remove|reset-password|role> [email] [options]
  list
  add <email> [--role admin|marketer|viewer] [--name NAME] [--password PW]
  remove <email>
  reset-password <email> [--password PW]
  role <email> <admin|marketer|viewer>`;

function databaseUrl(): string {
  if (process.env.DATABASE_URL) return loadEnv('migrate').DATABASE_URL;
  return `postgresql://rapport:rapport@127.0.0.1:${process.env.EMBEDDED_PG_PORT ?? '55432'}/rapport`;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [cmd, email, arg] = positionals;
  if (values.help || !cmd) {
    process.stdout.write(`${USAGE}\n`);
    return cmd ? 0 : 2;
  }
  const need = (v: string | undefined, what: string) => {
    if (!v) throw new UserError('invalid', `${cmd}: missing ${what}\n${USAGE}`);
    return v;
  };
  const db = createDb(databaseUrl(), 2);
  try {
    switch (cmd) {
      case 'list': {
        const users = await listUsers(db);
        if (users.length === 0) process.stdout.write('No accounts yet (npm start creates the first admin).\n');
        for (const u of users) process.stdout.write(`${u.email.padEnd(36)} ${u.role.padEnd(9)} last sign-in ${u.lastLoginAt ?? 'never'}\n`);
        return 0;
      }
      case 'add': {
        const role = values.role === undefined ? undefined : roleSchema.safeParse(values.role);
        if (role && !role.success)
          throw new UserError('invalid', `--role must be admin, marketer or viewer (got "${values.role}")`, 'role');
        const out = await createUser(db, {
          email: need(email, 'the email'),
          role: role?.data,
          name: values.name,
          password: values.password,
        });
        process.stdout.write(`Added ${out.user.email} (${out.user.role}).${out.generated ? ` Password: ${out.password}` : ''}\n`);
        return 0;
      }
      case 'remove': {
        const u = await removeUser(db, need(email, 'the email'));
        process.stdout.write(`Removed ${u.email}; their sessions ended.\n`);
        return 0;
      }
      case 'reset-password': {
        const out = await resetPassword(db, need(email, 'the email'), values.password);
        process.stdout.write(
          `New password for ${out.user.email}${values.password ? ' set' : `: ${out.password}`}. Their sessions ended.\n`,
        );
        return 0;
      }
      case 'role': {
        const role = roleSchema.safeParse(arg);
        if (!role.success)
          throw new UserError('invalid', `role: give admin, marketer or viewer after the email (got "${arg ?? ''}")`, 'role');
        const u = await setRole(db, need(email, 'the email'), role.data);
        process.stdout.write(`${u.email} is now ${u.role}.\n`);
        return 0;
      }
      default:
        process.stderr.write(`unknown command "${cmd}"\n${USAGE}\n`);
        return 2;
    }
  } finally {
    await db.$disconnect();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UserError || err instanceof ConfigError) {
      process.stderr.write(`users: ${err.message}\n`);
      process.exit(err instanceof ConfigError ? 78 : 1);
    }
    const e = err as { code?: string; message?: string };
    if (e.code === 'ECONNREFUSED') {
      process.stderr.write(`users: cannot reach the database. Is \`npm start\` running, or is DATABASE_URL set?\n`);
      process.exit(1);
    }
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);

// Workspace accounts: create, list, remove, reset a password, sign in (with a
// per-account lock after repeated wrong passwords), sessions and their CSRF token.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../lib/db';
import { DUMMY_HASH, generatePassword, hashPassword, verifyPassword } from './passwords';
import { newUserSchema, passwordSchema, type NewUser, type PublicUser, type Role } from './schema';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Consecutive wrong passwords before an account is locked, and for how long. */
export const ACCOUNT_MAX_FAILURES = 5;
export const ACCOUNT_LOCK_MS = 15 * 60 * 1000;

export class UserError extends Error {
  constructor(
    readonly code: 'user_exists' | 'user_not_found' | 'last_admin' | 'invalid',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

type UserRow = { id: string; email: string; name: string | null; role: Role; lastLoginAt: Date | null; createdAt: Date };
const toPublic = (u: UserRow): PublicUser => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  createdAt: u.createdAt.toISOString(),
});
const publicFields = { id: true, email: true, name: true, role: true, lastLoginAt: true, createdAt: true } as const;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export async function countUsers(db: Db): Promise<number> {
  return db.dashboardUser.count();
}

/** Creates an account; returns it and the password (generated when none was given). */
export async function createUser(db: Db, input: NewUser): Promise<{ user: PublicUser; password: string; generated: boolean }> {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError('invalid', issue.message, issue.path.join('.') || undefined);
  }
  const { email, name, role } = parsed.data;
  const password = parsed.data.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const created = await db.dashboardUser.createMany({ data: [{ email, name: name ?? null, role, passwordHash }], skipDuplicates: true });
  if (created.count === 0) throw new UserError('user_exists', `an account for ${email} exists already`, 'email');
  const user = await db.dashboardUser.findUniqueOrThrow({ where: { email }, select: publicFields });
  return { user: toPublic(user), password, generated: parsed.data.password === undefined };
}

export async function listUsers(db: Db): Promise<PublicUser[]> {
  const rows = await db.dashboardUser.findMany({ orderBy: { email: 'asc' }, select: publicFields });
  return rows.map(toPublic);
}

async function findByRef(db: Pick<Db, 'dashboardUser'>, ref: string) {
  const where = /^[0-9a-f-]{36}$/i.test(ref) ? { id: ref } : { email: ref.trim().toLowerCase() };
  const u = await db.dashboardUser.findUnique({ where });
  if (!u) throw new UserError('user_not_found', `no account ${ref}`);
  return u;
}

/** Removes an account (by id or email) and its sessions; the last admin stays. */
export async function removeUser(db: Db, ref: string): Promise<PublicUser> {
  return db.$transaction(async (tx) => {
    const u = await findByRef(tx, ref);
    if (u.role === 'admin') {
      // Serialise admin removals so two at once cannot remove the last two admins.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('dashboard_admins'))`;
      const admins = await tx.dashboardUser.count({ where: { role: 'admin' } });
      if (admins <= 1) throw new UserError('last_admin', 'this is the last admin; make another admin first');
    }
    await tx.dashboardUser.delete({ where: { id: u.id } });
    return toPublic(u);
  });
}

/** Sets a new password (generated when none is given), unlocks, and signs the account out everywhere. */
export async function resetPassword(db: Db, ref: string, password?: string): Promise<{ user: PublicUser; password: string }> {
  if (password !== undefined) {
    const p = passwordSchema.safeParse(password);
    if (!p.success) throw new UserError('invalid', p.error.issues[0]!.message, 'password');
  }
  const u = await findByRef(db, ref);
  const next = password ?? generatePassword();
  await db.$transaction([
    db.dashboardUser.update({ where: { id: u.id }, data: { passwordHash: await hashPassword(next), failedLogins: 0, lockedUntil: null } }),
    db.dashboardSession.deleteMany({ where: { userId: u.id } }),
  ]);
  return { user: toPublic(u), password: next };
}

export async function setRole(db: Db, ref: string, role: Role): Promise<PublicUser> {
  return db.$transaction(async (tx) => {
    const u = await findByRef(tx, ref);
    if (u.role === 'admin' && role !== 'admin') {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('dashboard_admins'))`;
      if ((await tx.dashboardUser.count({ where: { role: 'admin' } })) <= 1)
        throw new UserError('last_admin', 'this is the last admin; make another admin first');
    }
    const updated = await tx.dashboardUser.update({ where: { id: u.id }, data: { role }, select: publicFields });
    return toPublic(updated);
  });
}

export interface Session {
  user: PublicUser;
  csrfToken: string;
  expiresAt: Date;
}

export type LoginResult =
  | { ok: true; token: string; session: Session }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

/** Checks the password and opens a session; wrong passwords count towards a lock. */
export async function login(db: Db, email: string, password: string, now = new Date()): Promise<LoginResult> {
  const u = await db.dashboardUser.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (u?.lockedUntil && u.lockedUntil > now) {
    return { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil((u.lockedUntil.getTime() - now.getTime()) / 1000) };
  }
  // Hash even for unknown accounts so the answer's timing does not reveal which exist.
  const good = await verifyPassword(password, u?.passwordHash ?? DUMMY_HASH);
  if (!u || !good) {
    if (u) {
      // Atomic increment: parallel wrong guesses all count.
      const [row] = await db.$queryRaw<{ failed_logins: number }[]>`
        UPDATE dashboard_users SET failed_logins = failed_logins + 1, updated_at = now() WHERE id = ${u.id}::uuid RETURNING failed_logins`;
      if ((row?.failed_logins ?? 0) >= ACCOUNT_MAX_FAILURES) {
        await db.dashboardUser.update({
          where: { id: u.id },
          data: { lockedUntil: new Date(now.getTime() + ACCOUNT_LOCK_MS), failedLogins: 0 },
        });
      }
    }
    return { ok: false, reason: 'invalid' };
  }
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.$transaction([
    db.dashboardUser.update({ where: { id: u.id }, data: { failedLogins: 0, lockedUntil: null, lastLoginAt: now } }),
    db.dashboardSession.create({ data: { tokenHash: sha256(token), userId: u.id, csrfToken, expiresAt } }),
    // Tidy: expired sessions of anyone.
    db.dashboardSession.deleteMany({ where: { expiresAt: { lt: now } } }),
  ]);
  return { ok: true, token, session: { user: toPublic({ ...u, lastLoginAt: now }), csrfToken, expiresAt } };
}

/** The session a cookie's token opens, or null (unknown, expired, account removed). */
export async function sessionFromToken(db: Db, token: string, now = new Date()): Promise<Session | null> {
  const s = await db.dashboardSession.findUnique({ where: { tokenHash: sha256(token) }, include: { user: { select: publicFields } } });
  if (!s || s.expiresAt <= now) return null;
  return { user: toPublic(s.user), csrfToken: s.csrfToken, expiresAt: s.expiresAt };
}

export async function logout(db: Db, token: string): Promise<void> {
  await db.dashboardSession.deleteMany({ where: { tokenHash: sha256(token) } });
}

/** Constant-time comparison of the CSRF header with the session's token. */
export function csrfMatches(session: Session, header: string | undefined): boolean {
  if (!header) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(header);
  return a.length === b.length && timingSafeEqual(a, b);
}

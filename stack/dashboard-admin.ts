// The embedded stack's first workspace admin: made on the first `npm start`
// (when there is no account at all), printed, and kept in .data/secrets.json
// as "dashboard": { url, email, password }.
import type { Db } from '../lib/db';
import { countUsers, createUser } from '../users/service';
import { loadOrCreateSecrets, updateSecrets } from './secrets';

export const DEFAULT_ADMIN_EMAIL = 'admin@rapport.local';

/** Ensures an admin exists; returns the lines to print about signing in. */
export async function ensureDashboardAdmin(
  db: Db,
  secretsFile: string,
  url: string,
  email = process.env.DASHBOARD_ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL,
): Promise<string[]> {
  if ((await countUsers(db)) === 0) {
    const { user, password } = await createUser(db, { email, role: 'admin' });
    updateSecrets(secretsFile, { dashboard: { url, email: user.email, password } });
    return [`  Workspace     ${url}   (new admin: ${user.email} / ${password}; also in ${secretsFile})`];
  }
  const known = loadOrCreateSecrets(secretsFile).dashboard;
  if (known && known.url !== url) updateSecrets(secretsFile, { dashboard: { ...known, url } });
  return [`  Workspace     ${url}   (${known ? `login in ${secretsFile}` : 'sign in with your account'}; npm run users -- list)`];
}

// Admins manage workspace accounts: add, change role, reset password, remove.
import { useState, type FormEvent } from 'react';
import type { PublicUser, Role } from '../../../users/schema';
import { api, errorText } from '../api';
import { useApi } from '../hooks';
import { useSession } from '../session';
import { ActionFeedback, ErrorBox, Loading, PageHeader, when } from '../ui';

const ROLES: Role[] = ['admin', 'marketer', 'viewer'];

export function UsersPage() {
  const { user: me } = useSession();
  const { data, error, reload } = useApi<{ users: PublicUser[] }>(me?.role === 'admin' ? '/users' : null);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('marketer');
  const [notice, setNotice] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  if (me?.role !== 'admin') return <ErrorBox error={new Error('Only admins manage users.')} />;

  const act = async (fn: () => Promise<string | null>) => {
    setFormError(null);
    setNotice(null);
    try {
      setNotice(await fn());
      reload();
    } catch (err) {
      setFormError(errorText(err));
    }
  };
  const add = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const out = await api<{ user: PublicUser; password: string }>('/users', { body: { email, role } });
      setEmail('');
      return `Added ${out.user.email}. Their password, shown once: ${out.password}`;
    });
  };
  return (
    <>
      <PageHeader title="Users" />
      <form className="card inline-form" onSubmit={add} aria-label="Add a user">
        <div className="field">
          <label htmlFor="new-email">Email</label>
          <input id="new-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="new-role">Role</label>
          <select id="new-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn btn-primary">
          Add user
        </button>
      </form>
      <ActionFeedback notice={notice} failure={formError} />
      {error ? <ErrorBox error={error} retry={reload} /> : null}
      {!data && !error && <Loading what="users" />}
      {data && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.users.map((u) => (
                <tr key={u.id}>
                  <th scope="row">{u.email}</th>
                  <td>
                    <label className="sr-only" htmlFor={`role-${u.id}`}>
                      Role of {u.email}
                    </label>
                    <select
                      id={`role-${u.id}`}
                      value={u.role}
                      disabled={u.id === me.id}
                      onChange={(e) =>
                        void act(
                          async () => (
                            await api(`/users/${u.id}/role`, { body: { role: e.target.value } }),
                            `${u.email} is now ${e.target.value}.`
                          ),
                        )
                      }
                    >
                      {ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  </td>
                  <td>{when(u.lastLoginAt)}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="btn"
                      onClick={() =>
                        void act(
                          async () =>
                            `New password for ${u.email}, shown once: ${(await api<{ password: string }>(`/users/${u.id}/password`, { body: {} })).password}`,
                        )
                      }
                    >
                      Reset password
                    </button>
                    {u.id !== me.id && (
                      <button
                        type="button"
                        className="btn btn-danger"
                        onClick={() => {
                          if (window.confirm(`Remove ${u.email}? They are signed out at once.`))
                            void act(async () => (await api(`/users/${u.id}`, { method: 'DELETE' }), `Removed ${u.email}.`));
                        }}
                      >
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

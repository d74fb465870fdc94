// Users: who may sign in, and a form that adds one.
import { useState, type FormEvent } from 'react';
import { errorText, getJson, postJson } from '../../api/client';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { usePoll } from '../../hooks/usePoll';
import { when } from '../../format';
import type { User } from './types';

export function UsersTab() {
  const users = usePoll(() => getJson<{ users: User[] }>('/api/v1/users'), []);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [admin, setAdmin] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setDone(undefined);
    setBusy(true);
    try {
      const body: Record<string, unknown> = { name: name.trim(), admin };
      if (password) body.password = password;
      await postJson<User>('/api/v1/users', body);
      setDone(`Created ${name.trim()}${password ? '' : ' (no password: make a token for them in Tokens)'}`);
      setName('');
      setPassword('');
      setAdmin(false);
      users.reload();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <section className="panel" aria-labelledby="users-heading">
        <h2 id="users-heading" className="admin-heading">
          Users
        </h2>
        <ErrorNote error={users.error} />
        {users.data && (
          <div className="table-wrap">
            <table className="grid" aria-label="Users">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Administrator</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {users.data.users.map((user) => (
                  <tr key={user.name}>
                    <td>{user.name}</td>
                    <td>{user.admin ? 'yes' : 'no'}</td>
                    <td>{when(user.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="panel" aria-labelledby="new-user-heading">
        <h2 id="new-user-heading" className="admin-heading">
          New user
        </h2>
        <form onSubmit={(e) => void create(e)}>
          <div className="form-grid">
            <Field label="User name" hint="1 to 64 of A-Z a-z 0-9 _ . -">
              {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />}
            </Field>
            <Field label="Password" hint="optional; 12 characters or more">
              {(id) => <input id={id} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />}
            </Field>
          </div>
          <div className="checks admin-checks">
            <label>
              <input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.target.checked)} /> Administrator
            </label>
          </div>
          <div className="row">
            <button type="submit" disabled={busy}>
              Create user
            </button>
            {busy && <span className="muted">Creating…</span>}
            {done && <span className="notice">{done}</span>}
          </div>
          <ErrorNote error={error} />
        </form>
      </section>
    </>
  );
}

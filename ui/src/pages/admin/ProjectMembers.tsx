// One project's members: their roles, a form that adds a member or changes a role, removal,
// and deleting the project itself.
import { useState, type FormEvent } from 'react';
import { del, errorText, getJson, path, putJson } from '../../api/client';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { SelectField } from '../../components/SelectField';
import { usePoll } from '../../hooks/usePoll';
import { when } from '../../format';
import { kRoles, type Member } from './types';

export function ProjectMembers({
  project,
  users,
  onChanged,
  onDeleted,
}: {
  project: string;
  users: string[];
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const members = usePoll(() => getJson<{ members: Member[] }>(path`/api/v1/projects/${project}/members`), [project]);
  const [user, setUser] = useState('');
  const [role, setRole] = useState('editor');
  const [error, setError] = useState<string>();
  const [rowError, setRowError] = useState<string>();
  const [deleteError, setDeleteError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const setMember = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      await putJson(path`/api/v1/projects/${project}/members/${user}`, { role });
      members.reload();
      onChanged();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (who: string) => {
    setRowError(undefined);
    try {
      await del(path`/api/v1/projects/${project}/members/${who}`);
      members.reload();
      onChanged();
    } catch (e) {
      setRowError(`${who}: ${errorText(e)}`);
    }
  };

  const removeProject = async () => {
    setDeleteError(undefined);
    try {
      await del(path`/api/v1/projects/${project}`);
      onDeleted();
    } catch (e) {
      setDeleteError(errorText(e));
    }
  };

  const list = members.data?.members ?? [];
  return (
    <section className="panel" aria-labelledby="members-heading">
      <h2 id="members-heading" className="admin-heading">
        Members of {project}
      </h2>
      <ErrorNote error={members.error} />
      {members.data && list.length === 0 && <p className="muted">No members yet.</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="grid" aria-label={`Members of ${project}`}>
            <thead>
              <tr>
                <th>User</th>
                <th>Role</th>
                <th>Added</th>
                <th>Remove</th>
              </tr>
            </thead>
            <tbody>
              {list.map((m) => (
                <tr key={m.user}>
                  <td>{m.user}</td>
                  <td>{m.role}</td>
                  <td>{when(m.added_at)}</td>
                  <td>
                    <ConfirmButton
                      label={`Remove ${m.user}`}
                      question={`Remove ${m.user} from ${project}? They lose access to what it holds.`}
                      confirmLabel="Remove"
                      danger
                      onConfirm={() => remove(m.user)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorNote error={rowError} />
      <h3>Add a member or change a role</h3>
      <form onSubmit={(e) => void setMember(e)}>
        <div className="form-grid">
          <Field label="User">
            {(id) => (
              <select id={id} value={user} onChange={(e) => setUser(e.target.value)} required>
                <option value="">(pick a user)</option>
                {users.map((u) => (
                  <option key={u} value={u}>
                    {u}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <SelectField label="Role" value={role} options={kRoles} onChange={setRole} />
        </div>
        <div className="row">
          <button type="submit" disabled={busy || !user}>
            Set role
          </button>
        </div>
        <ErrorNote error={error} />
      </form>
      {project !== 'default' && (
        <div className="admin-danger">
          <ConfirmButton
            label={`Delete project ${project}`}
            question={`Delete the project ${project}? It must hold no datasets, models, endpoints or jobs.`}
            confirmLabel="Delete"
            danger
            onConfirm={removeProject}
          />
          <ErrorNote error={deleteError} />
        </div>
      )}
    </section>
  );
}

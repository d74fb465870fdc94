// Projects: the list with the caller's role, a form that makes one, and the members of the
// project picked from the list.
import { useState, type FormEvent } from 'react';
import { errorText, getJson, postJson } from '../../api/client';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { SelectField } from '../../components/SelectField';
import { usePoll } from '../../hooks/usePoll';
import { when } from '../../format';
import { ProjectMembers } from './ProjectMembers';
import type { Project, User } from './types';

export function ProjectsTab() {
  const projects = usePoll(() => getJson<{ projects: Project[] }>('/api/v1/projects'), []);
  const users = usePoll(() => getJson<{ users: User[] }>('/api/v1/users'), []);
  const [open, setOpen] = useState<string>();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [owner, setOwner] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const body: Record<string, unknown> = { name: name.trim(), description };
      if (owner) body.owner = owner;
      const made = await postJson<Project>('/api/v1/projects', body);
      setName('');
      setDescription('');
      setOwner('');
      projects.reload();
      setOpen(made.name ?? name.trim());
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const userNames = users.data?.users.map((u) => u.name) ?? [];
  return (
    <>
      <section className="panel" aria-labelledby="projects-heading">
        <h2 id="projects-heading" className="admin-heading">
          Projects
        </h2>
        <ErrorNote error={projects.error} />
        {projects.data && (
          <div className="table-wrap">
            <table className="grid" aria-label="Projects">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Description</th>
                  <th>Your role</th>
                  <th>Created</th>
                  <th>Members</th>
                </tr>
              </thead>
              <tbody>
                {projects.data.projects.map((project) => (
                  <tr key={project.name} aria-current={open === project.name ? 'true' : undefined}>
                    <td>{project.name}</td>
                    <td>{project.description || '—'}</td>
                    <td>{project.role ?? 'none (admin access)'}</td>
                    <td>{when(project.created_at)}</td>
                    <td>
                      <button type="button" className="secondary" aria-pressed={open === project.name} onClick={() => setOpen(open === project.name ? undefined : project.name)}>
                        {open === project.name ? 'Hide members' : `Members of ${project.name}`}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {open && (
        <ProjectMembers
          key={open}
          project={open}
          users={userNames}
          onChanged={projects.reload}
          onDeleted={() => {
            setOpen(undefined);
            projects.reload();
          }}
        />
      )}
      <section className="panel" aria-labelledby="new-project-heading">
        <h2 id="new-project-heading" className="admin-heading">
          New project
        </h2>
        <form onSubmit={(e) => void create(e)}>
          <div className="form-grid">
            <Field label="Project name" hint="1 to 64 of a-z 0-9 - _">
              {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />}
            </Field>
            <Field label="Description">
              {(id) => <input id={id} value={description} onChange={(e) => setDescription(e.target.value)} />}
            </Field>
            <SelectField label="Owner" hint="optional: becomes the project's owner" value={owner} options={userNames} onChange={setOwner} placeholder="(none)" />
          </div>
          <div className="row">
            <button type="submit" disabled={busy}>
              Create project
            </button>
          </div>
          <ErrorNote error={error} />
        </form>
      </section>
    </>
  );
}

// The model's aliases: move one to the version shown (asking first, naming both versions),
// add a new one pointing at it, or delete one.
import { useState, type FormEvent } from 'react';
import { del, errorText, path, putJson } from '../../api/client';
import type { Model } from '../../api/types';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';

export function Aliases({ model, version, onChange }: { model: Model; version: number; onChange: () => void }) {
  const [error, setError] = useState<string>();
  const [alias, setAlias] = useState('');
  const [addError, setAddError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const aliases = Object.entries(model.aliases).sort(([a], [b]) => a.localeCompare(b));

  const act = async (work: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await work();
      onChange();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const move = (name: string) =>
    act(() => putJson(path`/api/v1/models/${model.name}/aliases/${name}`, { version }));
  const remove = (name: string) => act(() => del(path`/api/v1/models/${model.name}/aliases/${name}`));

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const name = alias.trim();
    if (!name) return;
    setAddError(undefined);
    setBusy(true);
    try {
      await putJson(path`/api/v1/models/${model.name}/aliases/${name}`, { version });
      setAlias('');
      onChange();
    } catch (e) {
      setAddError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="aliases-heading">
      <h2 id="aliases-heading">Aliases</h2>
      {aliases.length === 0 && <p className="muted">No aliases yet. An alias (such as champion) names a version that endpoints can follow.</p>}
      {aliases.length > 0 && (
        <div className="table-wrap">
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Alias</th>
                <th scope="col">Version</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {aliases.map(([name, at]) => (
                <tr key={name}>
                  <td>
                    <code>
                      {model.name}@{name}
                    </code>
                  </td>
                  <td>v{at}</td>
                  <td>
                    <div className="row">
                      <ConfirmButton
                        label={at === version ? `${name} is on v${version}` : `Move ${name} to v${version}`}
                        disabled={at === version}
                        question={
                          <p>
                            Move <strong>{name}</strong> from version {at} to version {version}? Endpoints that follow{' '}
                            <code>
                              {model.name}@{name}
                            </code>{' '}
                            switch to version {version} within about a second.
                          </p>
                        }
                        confirmLabel={`Move to v${version}`}
                        onConfirm={() => move(name)}
                      />
                      <ConfirmButton
                        label={`Delete ${name}`}
                        danger
                        question={
                          <p>
                            Delete the alias <strong>{name}</strong> (now on version {at})? Endpoints that follow it stop it from
                            being deleted.
                          </p>
                        }
                        confirmLabel="Delete alias"
                        onConfirm={() => remove(name)}
                      />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorNote error={error} />
      <form className="row align-end" onSubmit={(e) => void add(e)}>
        <Field label="New alias" hint={`points at version ${version}`}>
          {(id) => <input id={id} value={alias} onChange={(e) => setAlias(e.target.value)} placeholder="champion" />}
        </Field>
        <button type="submit" disabled={busy || !alias.trim()}>
          Add alias
        </button>
      </form>
      <ErrorNote error={addError} />
    </section>
  );
}

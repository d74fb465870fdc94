// Deploys the version shown as a new endpoint, then opens the endpoint's page.
import { useState, type FormEvent } from 'react';
import { errorText, postJson } from '../../api/client';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { navigate } from '../../router';

export function DeployForm({ model, version }: { model: string; version: number }) {
  const [name, setName] = useState(model.toLowerCase().replace(/[^a-z0-9_-]/g, '_'));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      await postJson('/api/v1/endpoints', { name: name.trim(), model: `${model}@${version}` });
      navigate(`/endpoints/${encodeURIComponent(name.trim())}`);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="deploy-heading">
      <h2 id="deploy-heading">Deploy</h2>
      <p className="muted">
        Serve{' '}
        <code>
          {model}@{version}
        </code>{' '}
        at a new endpoint (pinned to this version).
      </p>
      <form className="row align-end" onSubmit={(e) => void submit(e)}>
        <Field label="Endpoint name">
          {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <button type="submit" disabled={busy || !name.trim()}>
          {busy ? 'Deploying…' : 'Deploy'}
        </button>
      </form>
      <ErrorNote error={error} />
    </section>
  );
}

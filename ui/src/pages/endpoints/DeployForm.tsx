// Deploys a model version (or an alias, or the newest) at a new endpoint name.
import { useEffect, useState, type FormEvent } from 'react';
import { errorText, getJson, path, postJson } from '../../api/client';
import type { Endpoint, Model, ModelVersionSummary } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { usePoll } from '../../hooks/usePoll';
import { navigate } from '../../router';
import { TrafficFields, trafficBody, type Traffic } from './TrafficFields';

const kLatest = 'latest';

// The alias on the newest version, else the newest version itself.
function defaultChoice(aliases: Record<string, number>): string {
  const best = Object.entries(aliases).sort((a, b) => b[1] - a[1])[0];
  return best ? best[0] : kLatest;
}

export function DeployForm() {
  const models = usePoll(() => getJson<{ models: Model[] }>('/api/v1/models?limit=1000'), []);
  const [name, setName] = useState('');
  const [model, setModel] = useState('');
  const [choice, setChoice] = useState(kLatest);
  const [traffic, setTraffic] = useState<Traffic>({ canary: '', percent: '10', shadow: '' });
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const picked = models.data?.models.find((m) => m.name === model);
  const versions = usePoll(
    () => (model ? getJson<{ versions: ModelVersionSummary[] }>(path`/api/v1/models/${model}/versions`) : Promise.resolve({ versions: [] })),
    [model],
  );

  useEffect(() => {
    if (!model && models.data?.models.length) setModel(models.data.models[0].name);
  }, [models.data, model]);
  useEffect(() => setChoice(defaultChoice(picked?.aliases ?? {})), [picked]);

  const deploy = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const ref = choice === kLatest ? model : `${model}@${choice}`;
      const created = await postJson<Endpoint>('/api/v1/endpoints', { name: name.trim(), model: ref, ...trafficBody(traffic) });
      navigate(`/endpoints/${encodeURIComponent(created.name ?? name.trim())}`);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };

  const aliases = Object.entries(picked?.aliases ?? {}).sort((a, b) => b[1] - a[1]);
  const numbers = [...(versions.data?.versions ?? [])].sort((a, b) => b.version - a.version);
  return (
    <section className="panel" aria-labelledby="deploy-heading">
      <h2 id="deploy-heading" className="ep-first-heading">
        Deploy a model
      </h2>
      <ErrorNote error={models.error} />
      {models.data && models.data.models.length === 0 && <p className="muted">There are no models yet: train one first.</p>}
      <form onSubmit={(e) => void deploy(e)}>
        <div className="form-grid">
          <Field label="Endpoint name" hint="letters, digits, _ . -">
            {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} required />}
          </Field>
          <Field label="Model">
            {(id) => (
              <select id={id} value={model} onChange={(e) => setModel(e.target.value)} required>
                {models.data?.models.map((m) => (
                  <option key={m.name} value={m.name}>
                    {m.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Version or alias">
            {(id) => (
              <select id={id} value={choice} onChange={(e) => setChoice(e.target.value)}>
                {aliases.map(([alias, v]) => (
                  <option key={'a' + alias} value={alias}>
                    {alias} (version {v})
                  </option>
                ))}
                <option value={kLatest}>latest (newest version)</option>
                {numbers.map((v) => (
                  <option key={v.version} value={String(v.version)}>
                    version {v.version} ({v.task})
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <ErrorNote error={versions.error} />
        <TrafficFields traffic={traffic} onChange={setTraffic} />
        <div className="row">
          <button type="submit" disabled={busy || !model}>
            Deploy
          </button>
          {busy && <span className="muted">Loading the model…</span>}
        </div>
        <ErrorNote error={error} />
      </form>
    </section>
  );
}

// Points an endpoint at other models: PUT /api/v1/endpoints/{name} (loaded before the switch).
import { useState, type FormEvent } from 'react';
import { errorText, path, putJson } from '../../api/client';
import type { Endpoint } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { TrafficFields, trafficBody, type Traffic } from './TrafficFields';

export function EditForm({ endpoint, onSaved }: { endpoint: Endpoint; onSaved: () => void }) {
  const [model, setModel] = useState(endpoint.model);
  const [traffic, setTraffic] = useState<Traffic>({
    canary: endpoint.canary?.model ?? '',
    percent: String(endpoint.canary?.percent ?? 10),
    shadow: endpoint.shadow ?? '',
  });
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSaved(false);
    setBusy(true);
    try {
      await putJson(path`/api/v1/endpoints/${endpoint.name}`, { model: model.trim(), ...trafficBody(traffic) });
      setSaved(true);
      onSaved();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="edit-heading">
      <h2 id="edit-heading" className="ep-first-heading">
        Change models
      </h2>
      <form onSubmit={(e) => void save(e)}>
        <div className="form-grid">
          <Field label="Model reference" hint="credit@champion follows the alias, credit@3 is pinned, credit follows the newest">
            {(id) => <input id={id} value={model} onChange={(e) => setModel(e.target.value)} required />}
          </Field>
        </div>
        <TrafficFields traffic={traffic} onChange={setTraffic} />
        <div className="row">
          <button type="submit" disabled={busy}>
            Save changes
          </button>
          {busy && <span className="muted">Loading the models…</span>}
          {saved && <span className="notice">Saved</span>}
        </div>
        <ErrorNote error={error} />
      </form>
    </section>
  );
}

// Every model, searchable by name: its newest version, task, main metric, aliases and tags.
import { useEffect, useState } from 'react';
import { getJson } from '../../api/client';
import type { Model, ModelVersionSummary } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { number, when } from '../../format';
import { usePoll } from '../../hooks/usePoll';
import { Link } from '../../router';
import { mainMetric } from './metrics';

type Listed = Model & { latest: ModelVersionSummary | null };

export function ModelList() {
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  // The search waits for a pause in typing: one request per search, not per keystroke.
  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), 300);
    return () => clearTimeout(timer);
  }, [text]);
  const models = usePoll(
    () => getJson<{ models: Listed[] }>(`/api/v1/models?limit=500${q ? `&q=${encodeURIComponent(q)}` : ''}`),
    [q],
  );
  const list = models.data?.models ?? [];
  return (
    <>
      <h1>Models</h1>
      <div className="panel">
        <form role="search" className="model-search" onSubmit={(e) => e.preventDefault()}>
          <Field label="Search models" hint="names that contain the text">
            {(id) => <input id={id} type="search" value={text} onChange={(e) => setText(e.target.value)} />}
          </Field>
        </form>
        <ErrorNote error={models.error} />
        {models.loading && !models.data && <p className="loading">Loading…</p>}
        {models.data && list.length === 0 && (
          <p className="muted">
            {q ? `No model's name contains “${q}”.` : 'No models yet: '}
            {!q && <Link to="/training">train one</Link>}
          </p>
        )}
        {list.length > 0 && (
          <div className="table-wrap">
            <table className="grid">
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Latest</th>
                  <th scope="col">Task</th>
                  <th scope="col">Main metric</th>
                  <th scope="col">Aliases</th>
                  <th scope="col">Tags</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {list.map((model) => {
                  const metric = model.latest ? mainMetric(model.latest.task, model.latest.metrics) : undefined;
                  return (
                    <tr key={model.name}>
                      <td>
                        <Link to={`/models/${encodeURIComponent(model.name)}`}>{model.name}</Link>
                        {model.description && <div className="muted small">{model.description}</div>}
                      </td>
                      <td>{model.latest ? `v${model.latest.version}` : '—'}</td>
                      <td>{model.latest?.task ?? '—'}</td>
                      <td>{metric ? `${metric.name} ${number(metric.value)}` : '—'}</td>
                      <td>
                        {Object.entries(model.aliases).map(([alias, version]) => (
                          <span key={alias} className="badge alias">
                            {alias} → v{version}
                          </span>
                        ))}
                      </td>
                      <td>
                        {Object.entries(model.tags).map(([key, value]) => (
                          <span key={key} className="badge tag">
                            {key}: {value}
                          </span>
                        ))}
                      </td>
                      <td>{when(model.updated_at)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </>
  );
}

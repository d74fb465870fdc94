// /pipelines: every pipeline with its last run, and the form that applies a new one.
import { getJson } from '../../api/client';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { when } from '../../format';
import { Link } from '../../router';
import { isActive } from '../jobs/time';
import { useLive } from '../jobs/useLive';
import { ApplyForm } from './ApplyForm';
import type { PipelineSummary } from './types';

export function PipelineList() {
  const pipelines = useLive(
    () => getJson<{ pipelines: PipelineSummary[] }>('/api/v1/pipelines').then((answer) => answer.pipelines),
    [],
    (list) => list.some((p) => p.last_run && isActive(p.last_run.state)),
    3000,
  );
  const list = pipelines.data;
  return (
    <>
      <h1>Pipelines</h1>
      <ErrorNote error={pipelines.error} />
      {!list && !pipelines.error && <p className="loading">Loading…</p>}
      {list && list.length === 0 && <p className="muted">No pipelines yet. Apply one below.</p>}
      {list && list.length > 0 && (
        <div className="table-wrap">
          <table className="grid">
            <thead>
              <tr>
                <th>Name</th>
                <th>Project</th>
                <th>Version</th>
                <th>Webhook</th>
                <th>Last run</th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={`${p.project}/${p.name}`}>
                  <td>
                    <Link to={`/pipelines/${encodeURIComponent(p.name)}`}>{p.name}</Link>
                  </td>
                  <td>{p.project}</td>
                  <td>{p.version}</td>
                  <td>{p.webhook ? 'yes' : 'no'}</td>
                  <td className="nowrap">
                    {p.last_run ? (
                      <>
                        <Link to={`/pipelines/runs/${p.last_run.id}`}>Run {p.last_run.id}</Link> <Badge state={p.last_run.state} />{' '}
                        <span className="muted">{when(p.last_run.created_at)}</span>
                      </>
                    ) : (
                      <span className="muted">never run</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ApplyForm onApplied={pipelines.reload} />
    </>
  );
}

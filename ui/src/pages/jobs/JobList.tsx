// /jobs: every background job, newest first, filtered by state and kind, a page at a time.
import { getJson } from '../../api/client';
import type { Job } from '../../api/types';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { SelectField } from '../../components/SelectField';
import { ProgressBar } from '../../components/ProgressBar';
import { seconds, when } from '../../format';
import { Link, navigate, useLocation } from '../../router';
import { elapsed, isActive } from './time';
import { useLive } from './useLive';

const kPageSize = 50;
const kStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
const kKinds = ['dataset.import', 'dataset.import_url', 'dataset.transform', 'model.train', 'endpoint.batch_predict', 'pipeline.step', 'source.run'];

export function JobList() {
  const { query } = useLocation();
  const state = query.get('state') ?? '';
  const kind = query.get('kind') ?? '';
  const offset = Math.max(0, Number(query.get('offset')) || 0);

  const jobs = useLive(
    () => {
      const params = new URLSearchParams({ limit: String(kPageSize), offset: String(offset) });
      if (state) params.set('state', state);
      if (kind) params.set('kind', kind);
      return getJson<{ jobs: Job[] }>(`/api/v1/jobs?${params}`).then((answer) => answer.jobs);
    },
    [state, kind, offset],
    (list) => list.some((job) => isActive(job.state)),
    3000,
  );

  const show = (next: { state?: string; kind?: string; offset?: number }) => {
    const params = new URLSearchParams();
    const s = next.state ?? state;
    const k = next.kind ?? kind;
    const o = next.offset ?? 0;
    if (s) params.set('state', s);
    if (k) params.set('kind', k);
    if (o) params.set('offset', String(o));
    const search = params.toString();
    navigate('/jobs' + (search ? '?' + search : ''), true);
  };

  const kinds = [...new Set([...kKinds, ...(jobs.data ?? []).map((job) => job.kind), ...(kind ? [kind] : [])])].sort();
  const list = jobs.data;

  return (
    <>
      <h1>Jobs</h1>
      <div className="panel">
        <div className="form-grid">
          <SelectField label="State" value={state} options={kStates} onChange={(s) => show({ state: s })} placeholder="Any state" />
          <SelectField label="Kind" value={kind} options={kinds} onChange={(k) => show({ kind: k })} placeholder="Any kind" />
        </div>
      </div>
      <ErrorNote error={jobs.error} />
      {!list && !jobs.error && <p className="loading">Loading…</p>}
      {list && list.length === 0 && <p className="muted">No jobs {offset ? 'on this page' : 'match these filters'}.</p>}
      {list && list.length > 0 && (
        <div className="table-wrap">
          <table className="grid jobs-table">
            <caption className="muted">
              Jobs {offset + 1}–{offset + list.length}
            </caption>
            <thead>
              <tr>
                <th>Job</th>
                <th>Kind</th>
                <th>State</th>
                <th>Created</th>
                <th>Duration</th>
              </tr>
            </thead>
            <tbody>
              {list.map((job) => (
                <tr key={job.id}>
                  <td>
                    <Link to={`/jobs/${job.id}`}>#{job.id}</Link>
                  </td>
                  <td className="mono">{job.kind}</td>
                  <td>
                    <Badge state={job.state} />
                    {job.state === 'running' && (
                      <div className="job-progress">
                        <ProgressBar value={job.progress} label={`Job ${job.id} progress`} />
                        {job.message && <small className="muted">{job.message}</small>}
                      </div>
                    )}
                  </td>
                  <td>{when(job.created_at)}</td>
                  <td>{seconds(elapsed(job.started_at, job.finished_at))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="row pager">
        <button type="button" className="secondary" disabled={offset === 0} onClick={() => show({ offset: Math.max(0, offset - kPageSize) })}>
          Newer
        </button>
        <button type="button" className="secondary" disabled={!list || list.length < kPageSize} onClick={() => show({ offset: offset + kPageSize })}>
          Older
        </button>
      </div>
    </>
  );
}

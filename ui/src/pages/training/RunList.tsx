// The training runs, newest first, each with its state and progress; refreshed every 3 s
// while one of them is still queued or running.
import { getJson } from '../../api/client';
import type { Job } from '../../api/types';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { ProgressBar } from '../../components/ProgressBar';
import { when } from '../../format';
import { usePoll } from '../../hooks/usePoll';
import { Link } from '../../router';
import { useState } from 'react';

export function finished(job: Job | undefined): boolean {
  return !!job && job.state !== 'queued' && job.state !== 'running';
}

function describe(job: Job): string {
  const params = job.params as { dataset?: string; target?: string; register?: string };
  const parts = [params.dataset, params.target && `→ ${params.target}`].filter(Boolean);
  return parts.join(' ');
}

export function RunList() {
  const [live, setLive] = useState(true);
  const runs = usePoll(
    async () => {
      const answer = await getJson<{ training_runs: Job[] }>('/api/v1/training-runs?limit=50');
      setLive(answer.training_runs.some((job) => !finished(job)));
      return answer;
    },
    [],
    live ? 3000 : 0,
  );
  const list = runs.data?.training_runs ?? [];
  return (
    <section className="panel" aria-labelledby="runs-heading">
      <h2 id="runs-heading">Training runs</h2>
      <ErrorNote error={runs.error} />
      {runs.loading && !runs.data && <p className="loading">Loading…</p>}
      {runs.data && list.length === 0 && <p className="muted">No training run yet: start one above.</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="grid runs">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Data</th>
                <th scope="col">Model</th>
                <th scope="col">State</th>
                <th scope="col">Progress</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {list.map((job) => (
                <tr key={job.id}>
                  <td>
                    <Link to={`/training/${job.id}`}>Run {job.id}</Link>
                  </td>
                  <td>{describe(job)}</td>
                  <td>{job.result?.ref ?? (job.params as { register?: string }).register ?? '—'}</td>
                  <td>
                    <Badge state={job.state} />
                  </td>
                  <td className="progress-cell">
                    <ProgressBar value={job.progress} label={`Run ${job.id} progress`} />
                  </td>
                  <td>{when(job.started_at ?? job.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

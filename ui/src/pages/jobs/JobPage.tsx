// /jobs/<id>: one job: its facts, progress, log, what it made, and cancelling it.
import { useState } from 'react';
import { ApiError, errorText, getJson, getText, postJson } from '../../api/client';
import type { Job } from '../../api/types';
import { Badge } from '../../components/Badge';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { ProgressBar } from '../../components/ProgressBar';
import { seconds, when } from '../../format';
import { Link } from '../../router';
import { LogView } from './LogView';
import { MadeLinks } from './MadeLinks';
import { elapsed, isActive } from './time';
import { useLive } from './useLive';

export function JobPage({ id }: { id: string }) {
  const job = useLive(() => getJson<Job>(`/api/v1/jobs/${encodeURIComponent(id)}`), [id], (j) => isActive(j.state), 1500);
  const active = job.data ? isActive(job.data.state) : true;
  const log = useLive(() => getText(`/api/v1/jobs/${encodeURIComponent(id)}/log`), [id], () => active, 1500);
  const [cancelError, setCancelError] = useState<string>();

  const cancel = async () => {
    setCancelError(undefined);
    try {
      await postJson<Job>(`/api/v1/jobs/${encodeURIComponent(id)}/cancel`);
    } catch (e) {
      setCancelError(e instanceof ApiError && e.status === 409 ? 'This job has already finished, so there is nothing to cancel.' : errorText(e));
    }
    job.reload();
  };

  const j = job.data;
  return (
    <>
      <p>
        <Link to="/jobs">← All jobs</Link>
      </p>
      <div className="row job-head">
        <h1>Job {id}</h1>
        {j && isActive(j.state) && (
          <ConfirmButton label="Cancel job" question={`Cancel job ${id} (${j.kind})?`} confirmLabel="Cancel the job" danger onConfirm={cancel} />
        )}
      </div>
      <ErrorNote error={cancelError} />
      <ErrorNote error={job.error} />
      {!j && !job.error && <p className="loading">Loading…</p>}
      {j && (
        <>
          <section className="panel" aria-label="Job facts">
            <dl className="facts">
              <dt>Kind</dt>
              <dd className="mono">{j.kind}</dd>
              <dt>State</dt>
              <dd>
                <Badge state={j.state} />
              </dd>
              <dt>Attempts</dt>
              <dd>{j.attempts}</dd>
              <dt>Created</dt>
              <dd>{when(j.created_at)}</dd>
              <dt>Started</dt>
              <dd>{when(j.started_at)}</dd>
              <dt>Finished</dt>
              <dd>{when(j.finished_at)}</dd>
              <dt>Duration</dt>
              <dd>{seconds(elapsed(j.started_at, j.finished_at))}</dd>
            </dl>
            {(isActive(j.state) || j.message) && (
              <div className="job-progress-wide">
                <ProgressBar value={j.progress} label="Job progress" />
                {j.message && <p className="muted">{j.message}</p>}
              </div>
            )}
            {j.error && <p className="error">{j.error}</p>}
            <MadeLinks job={j} />
          </section>
          <h2>Log</h2>
          <ErrorNote error={log.error} />
          {log.data !== undefined && <LogView text={log.data} label={`Log of job ${id}`} follow={active} />}
          <h2>Parameters</h2>
          <pre className="json">{JSON.stringify(j.params, null, 2)}</pre>
          <h2>Result</h2>
          {j.result === null || j.result === undefined ? (
            <p className="muted">{isActive(j.state) ? 'The result comes when the job succeeds.' : 'No result.'}</p>
          ) : (
            <pre className="json">{JSON.stringify(j.result, null, 2)}</pre>
          )}
        </>
      )}
    </>
  );
}

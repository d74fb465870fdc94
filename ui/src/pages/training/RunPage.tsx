// One training run: its state and progress, the score over time, the leaderboard as trials
// finish, the log, and the model it registered. Polled only while the run is not finished.
import { useEffect, useRef, useState } from 'react';
import { errorText, getJson, getText, path, postJson } from '../../api/client';
import type { Job, Trial } from '../../api/types';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { ProgressBar } from '../../components/ProgressBar';
import { number, seconds, when } from '../../format';
import { usePoll } from '../../hooks/usePoll';
import { Link } from '../../router';
import { Leaderboard } from './Leaderboard';
import { finished } from './RunList';
import { ScoreChart } from './ScoreChart';
import { RunResult } from './RunResult';

interface RunAnswer {
  job: Job;
  trials: Trial[];
}

export function RunPage({ id }: { id: string }) {
  const [live, setLive] = useState(true);
  const run = usePoll(
    async () => {
      const answer = await getJson<RunAnswer>(path`/api/v1/training-runs/${id}`);
      if (finished(answer.job)) setLive(false);
      return answer;
    },
    [id],
    live ? 1500 : 0,
  );
  const log = usePoll(() => getText(path`/api/v1/jobs/${id}/log`), [id, live], live ? 3000 : 0);
  // The log follows its end while the run writes it, unless the reader scrolled up.
  const logBox = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const box = logBox.current;
    if (box && live && box.scrollHeight - box.scrollTop - box.clientHeight < 200) box.scrollTop = box.scrollHeight;
  }, [log.data, live]);
  const [cancelError, setCancelError] = useState<string>();
  const [cancelling, setCancelling] = useState(false);

  const job = run.data?.job;
  const trials = run.data?.trials ?? [];
  const cancel = async () => {
    setCancelling(true);
    setCancelError(undefined);
    try {
      await postJson(path`/api/v1/jobs/${id}/cancel`);
      run.reload();
    } catch (e) {
      setCancelError(errorText(e));
    } finally {
      setCancelling(false);
    }
  };

  return (
    <>
      <p>
        <Link to="/training">← Training runs</Link>
      </p>
      <h1>Training run {id}</h1>
      <ErrorNote error={run.error} />
      {!job && run.loading && <p className="loading">Loading…</p>}
      {job && (
        <section className="panel" aria-label="Run state">
          <div className="row">
            <span>
              State: <strong className="job-state">{job.state}</strong>
            </span>
            <Badge state={job.state} />
            <span className="muted">
              {String(job.params.dataset ?? '')} → {String(job.params.target ?? '')}, {String(job.params.task ?? '')},{' '}
              {String(job.params.search ?? '')} search, budget {seconds(Number(job.params.budget_seconds))}
            </span>
          </div>
          <ProgressBar value={job.progress} label="Training progress" />
          {job.message && <p className="job-message">{job.message}</p>}
          {job.error && <p className="error">{job.error}</p>}
          <p className="muted">
            Created {when(job.created_at)}
            {job.started_at && `, started ${when(job.started_at)}`}
            {job.finished_at && `, finished ${when(job.finished_at)}`}
          </p>
          {!finished(job) && (
            <div className="row">
              <button type="button" className="danger" disabled={cancelling} onClick={() => void cancel()}>
                Cancel run
              </button>
              <ErrorNote error={cancelError} />
            </div>
          )}
        </section>
      )}
      {job?.state === 'succeeded' && job.result && <RunResult result={job.result} />}
      {job && (
        <section className="panel">
          <ScoreChart trials={trials} />
        </section>
      )}
      {job && (
        <section className="panel" aria-labelledby="leaderboard-heading">
          <h2 id="leaderboard-heading">
            Leaderboard <span className="muted">({trials.length} {trials.length === 1 ? 'trial' : 'trials'}{trials.length ? `, best ${bestText(trials)}` : ''})</span>
          </h2>
          <Leaderboard trials={trials} />
        </section>
      )}
      <section className="panel" aria-labelledby="log-heading">
        <h2 id="log-heading">Log</h2>
        <ErrorNote error={log.error} />
        <pre ref={logBox} className="job-log" aria-label="Job log" tabIndex={0}>
          {log.data ?? (log.loading ? 'Loading…' : '')}
        </pre>
      </section>
    </>
  );
}

function bestText(trials: Trial[]): string {
  const metric = trials.find((t) => t.metric)?.metric ?? '';
  const scores = trials.map((t) => t.score).filter((s): s is number => typeof s === 'number');
  if (!scores.length) return 'none yet';
  const down = ['log_loss', 'rmse', 'mae'].includes(metric);
  return `${metric} ${number(down ? Math.min(...scores) : Math.max(...scores))}`;
}

// The trials of a training run, best first by the metric's direction; failed and pruned
// trials (no score) come last.
import type { Trial } from '../../api/types';
import { Badge } from '../../components/Badge';
import { number, seconds } from '../../format';
import { better } from './metric';

export function Leaderboard({ trials, caption }: { trials: Trial[]; caption?: string }) {
  const metric = trials.find((t) => t.metric)?.metric;
  const order = better(metric);
  const scoreOf = (t: Trial) => (typeof t.score === 'number' && Number.isFinite(t.score) ? t.score : undefined);
  const sorted = [...trials].sort((a, b) => {
    const x = scoreOf(a);
    const y = scoreOf(b);
    if (x === undefined && y === undefined) return a.id - b.id;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    return order(x, y) || a.id - b.id;
  });
  if (trials.length === 0) return <p className="muted">No trial has finished yet.</p>;
  return (
    <div className="table-wrap leaderboard" tabIndex={0} role="region" aria-label="Leaderboard (scrolls)">
      <table className="grid" aria-label="Leaderboard">
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            <th scope="col">Rank</th>
            <th scope="col">Trial</th>
            <th scope="col">Learner</th>
            <th scope="col">Score{metric ? ` (${metric})` : ''}</th>
            <th scope="col">Fold scores</th>
            <th scope="col">Seconds</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((trial, i) => (
            <tr key={trial.id}>
              <td>{scoreOf(trial) === undefined ? '—' : i + 1}</td>
              <td>{trial.id}</td>
              <td>
                {trial.learner}
                {trial.row_fraction !== undefined && trial.row_fraction < 1 && (
                  <span className="muted"> ({Math.round(trial.row_fraction * 100)}% of rows)</span>
                )}
              </td>
              <td className="num">{number(trial.score)}</td>
              <td className="mono folds">{(trial.fold_scores ?? []).map((s) => number(s, 3)).join(' · ')}</td>
              <td className="num">{seconds(trial.seconds)}</td>
              <td className="status">
                <Status status={trial.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// "pruned: its first 2 folds scored ..." reads as a badge with the reason beside it.
function Status({ status }: { status: string }) {
  const at = status.indexOf(':');
  if (at < 0) return <Badge state={status} />;
  return (
    <>
      <Badge state={status.slice(0, at)} /> <span className="muted small">{status.slice(at + 1).trim()}</span>
    </>
  );
}

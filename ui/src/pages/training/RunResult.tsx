// What a succeeded training run made: the chosen model, its score, and a link to it.
import { number, seconds } from '../../format';
import { Link } from '../../router';

interface Result {
  model: string;
  version: number;
  ref: string;
  task: string;
  metric: string;
  score: number;
  chosen: string;
  trials: number;
  seconds: number;
}

export function RunResult({ result }: { result: Result }) {
  return (
    <section className="panel" aria-labelledby="result-heading">
      <h2 id="result-heading">Result</h2>
      <dl className="facts">
        <dt>Chosen</dt>
        <dd>{result.chosen}</dd>
        <dt>Score</dt>
        <dd>
          {result.metric} {number(result.score)}
        </dd>
        <dt>Task</dt>
        <dd>{result.task}</dd>
        <dt>Trials</dt>
        <dd>{result.trials}</dd>
        <dt>Time</dt>
        <dd>{seconds(result.seconds)}</dd>
      </dl>
      <p>
        <Link to={`/models/${encodeURIComponent(result.model)}?version=${result.version}`} className="button">
          Open model {result.model}@{result.version}
        </Link>
      </p>
    </section>
  );
}

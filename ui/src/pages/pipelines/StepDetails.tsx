// One step of a run: its inputs and outputs, what the runner did, and its job's own log.
import type { PipelineStep } from '../../api/types';
import { Badge } from '../../components/Badge';
import { getText } from '../../api/client';
import { ErrorNote } from '../../components/ErrorNote';
import { seconds, when } from '../../format';
import { Link } from '../../router';
import { LogView } from '../jobs/LogView';
import { elapsed } from '../jobs/time';
import { useLive } from '../jobs/useLive';

type Step = PipelineStep & { retry_at?: string | null };

function Json({ value, label, going }: { value: Record<string, unknown>; label: string; going: boolean }) {
  if (!value || Object.keys(value).length === 0) return <p className="muted">{going ? 'None yet.' : 'None.'}</p>;
  return (
    <pre className="json" tabIndex={0} aria-label={label}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

export function StepDetails({ step, runId }: { step: Step; runId: number }) {
  const running = step.state === 'running' || step.state === 'waiting';
  const job = step.job;
  const log = useLive(
    () => (job === null ? Promise.resolve('') : getText(`/api/v1/jobs/${job}/log`)),
    [job],
    () => running && job !== null,
    1500,
  );
  return (
    <section className="panel step-details" aria-label={`Step ${step.name}`}>
      <h2>
        Step {step.name} <Badge state={step.state} />
      </h2>
      <dl className="facts">
        <dt>Type</dt>
        <dd>{step.type}</dd>
        <dt>Attempt</dt>
        <dd>{step.attempt}</dd>
        <dt>Job</dt>
        <dd>{job !== null ? <Link to={`/jobs/${job}`}>Job {job}</Link> : '—'}</dd>
        {step.cached_from_run !== null && (
          <>
            <dt>Cached from</dt>
            <dd>
              <Link to={`/pipelines/runs/${step.cached_from_run}`}>Run {step.cached_from_run}</Link>
            </dd>
          </>
        )}
        <dt>Started</dt>
        <dd>{when(step.started_at)}</dd>
        <dt>Finished</dt>
        <dd>{when(step.finished_at)}</dd>
        <dt>Duration</dt>
        <dd>{seconds(step.seconds ?? elapsed(step.started_at, step.finished_at))}</dd>
        {step.retry_at && (
          <>
            <dt>Next attempt</dt>
            <dd>{when(step.retry_at)}</dd>
          </>
        )}
      </dl>
      {step.error && <p className="error">{step.error}</p>}
      <h3>Inputs</h3>
      <Json value={step.inputs} label={`Inputs of ${step.name}`} going={running} />
      <h3>Outputs</h3>
      <Json value={step.outputs} label={`Outputs of ${step.name}`} going={running} />
      <h3>Runner log</h3>
      <LogView text={step.log} label={`Runner log of ${step.name} in run ${runId}`} follow={running} />
      <h3>Job log</h3>
      {job === null ? (
        <p className="muted">{step.state === 'cached' ? 'Reused from an earlier run; no job ran.' : running ? 'No job yet.' : 'No job ran.'}</p>
      ) : (
        <>
          <ErrorNote error={log.error} />
          {log.data !== undefined && <LogView text={log.data} label={`Log of job ${job}`} follow={running} />}
        </>
      )}
    </section>
  );
}

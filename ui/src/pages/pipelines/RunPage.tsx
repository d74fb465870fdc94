// /pipelines/runs/<id>: one run: its steps as a graph coloured by state, the chosen step's
// details, cancelling and rerunning.
import { useMemo, useState } from 'react';
import { errorText, getJson, path, postJson } from '../../api/client';
import type { PipelineRun } from '../../api/types';
import { Badge } from '../../components/Badge';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { usePoll } from '../../hooks/usePoll';
import { seconds, when } from '../../format';
import { Link, navigate } from '../../router';
import { elapsed, isActive } from '../jobs/time';
import { useLive } from '../jobs/useLive';
import { Dag } from './Dag';
import { StepDetails } from './StepDetails';
import type { Pipeline } from './types';

export function RunPage({ id }: { id: string }) {
  const run = useLive(() => getJson<PipelineRun>(path`/api/v1/pipeline-runs/${id}`), [id], (r) => isActive(r.state), 1500);
  const r = run.data;
  // The run's steps do not say what they need: the version they ran from does.
  const spec = usePoll(
    () => (r ? getJson<Pipeline>(path`/api/v1/pipelines/${r.pipeline}/versions/${r.version}`) : Promise.resolve(undefined)),
    [r?.pipeline, r?.version],
  );
  const [selected, setSelected] = useState<string>();
  const [actionError, setActionError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const nodes = useMemo(() => {
    const needs = new Map(spec.data?.spec.steps.map((s) => [s.name, s.needs ?? []]) ?? []);
    return (r?.steps ?? []).map((s) => ({
      name: s.name,
      type: s.type,
      needs: needs.get(s.name) ?? [],
      state: s.state,
      seconds: s.seconds ?? (s.state === 'running' ? elapsed(s.started_at, null) : null),
    }));
  }, [r, spec.data]);

  const cancel = async () => {
    setActionError(undefined);
    try {
      await postJson(path`/api/v1/pipeline-runs/${id}/cancel`);
    } catch (e) {
      setActionError(errorText(e));
    }
    run.reload();
  };

  const rerun = async () => {
    setActionError(undefined);
    setBusy(true);
    try {
      const next = await postJson<PipelineRun>(path`/api/v1/pipeline-runs/${id}/rerun`);
      navigate(`/pipelines/runs/${next.id}`);
    } catch (e) {
      setActionError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const step = r?.steps?.find((s) => s.name === selected);
  const detail = r as (PipelineRun & { rerun_of?: number | null; created_by?: string; trigger_detail?: Record<string, unknown> }) | undefined;
  const firedBy = typeof detail?.trigger_detail?.dataset === 'string' ? /^(.+)@(\d+)$/.exec(detail.trigger_detail.dataset) : null;
  return (
    <>
      <p>
        {r ? (
          <Link to={`/pipelines/${encodeURIComponent(r.pipeline)}`}>← Pipeline {r.pipeline}</Link>
        ) : (
          <Link to="/pipelines">← All pipelines</Link>
        )}
      </p>
      <div className="row page-head">
        <h1>Run {id}</h1>
        {r && (
          <div className="row">
            {isActive(r.state) && (
              <ConfirmButton
                label="Cancel run"
                question={`Cancel run ${id} of ${r.pipeline}? Its running steps' jobs are cancelled.`}
                confirmLabel="Cancel the run"
                danger
                onConfirm={cancel}
              />
            )}
            <button type="button" className="secondary" disabled={busy || isActive(r.state)} onClick={() => void rerun()}>
              Rerun
            </button>
          </div>
        )}
      </div>
      <ErrorNote error={actionError} />
      <ErrorNote error={run.error} />
      {!r && !run.error && <p className="loading">Loading…</p>}
      {r && detail && (
        <>
          <section className="panel" aria-label="About the run">
            <dl className="facts">
              <dt>State</dt>
              <dd>
                <Badge state={r.state} />
              </dd>
              <dt>Pipeline</dt>
              <dd>
                <Link to={`/pipelines/${encodeURIComponent(r.pipeline)}`}>{r.pipeline}</Link>, version {r.version}
              </dd>
              <dt>Trigger</dt>
              <dd>
                {r.trigger}
                {firedBy && (
                  <>
                    {' '}
                    (<Link to={`/datasets/${encodeURIComponent(firedBy[1])}?version=${firedBy[2]}`}>{firedBy[0]}</Link>)
                  </>
                )}
                {detail.created_by ? ` by ${detail.created_by}` : ''}
                {detail.rerun_of ? (
                  <>
                    , a rerun of <Link to={`/pipelines/runs/${detail.rerun_of}`}>run {detail.rerun_of}</Link>
                  </>
                ) : null}
              </dd>
              <dt>Created</dt>
              <dd>{when(r.created_at)}</dd>
              <dt>Started</dt>
              <dd>{when(r.started_at)}</dd>
              <dt>Finished</dt>
              <dd>{when(r.finished_at)}</dd>
              <dt>Duration</dt>
              <dd>{seconds(elapsed(r.started_at, r.finished_at))}</dd>
            </dl>
            {r.error && <p className="error">{r.error}</p>}
          </section>
          <h2>Steps</h2>
          <ErrorNote error={spec.error && `The steps are shown without their links: ${spec.error}`} />
          <Dag nodes={nodes} selected={selected} onSelect={setSelected} label={`Steps of run ${id}`} />
          {step ? (
            <StepDetails key={step.name} step={step} runId={r.id} />
          ) : (
            <p className="muted">Pick a step in the graph (click it, or Tab to it and press Enter) to see its inputs, outputs and logs.</p>
          )}
        </>
      )}
    </>
  );
}

// /pipelines/<name>: one pipeline: its YAML and steps at a chosen version, its runs, and
// running, re-keying and deleting it.
import { useMemo, useState } from 'react';
import { ApiError, errorText, getJson, path, postJson } from '../../api/client';
import type { PipelineRun } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { when } from '../../format';
import { Link } from '../../router';
import { isActive } from '../jobs/time';
import { useLive } from '../jobs/useLive';
import { Dag } from './Dag';
import { PipelineActions } from './PipelineActions';
import { RunsTable } from './RunsTable';
import { usePoll } from '../../hooks/usePoll';
import type { Pipeline } from './types';

export function PipelinePage({ name }: { name: string }) {
  const [version, setVersion] = useState<number>();
  const latest = usePoll(() => getJson<Pipeline>(path`/api/v1/pipelines/${name}`), [name]);
  const shown = usePoll(
    () => (version === undefined ? Promise.resolve(undefined) : getJson<Pipeline>(path`/api/v1/pipelines/${name}/versions/${version}`)),
    [name, version],
  );
  const runs = useLive(
    () => getJson<{ runs: PipelineRun[] }>(path`/api/v1/pipelines/${name}/runs` + '?limit=50').then((a) => a.runs),
    [name],
    (list) => list.some((r) => isActive(r.state)),
    3000,
  );
  const [runError, setRunError] = useState<string>();
  const [started, setStarted] = useState<PipelineRun>();

  const pipeline = version === undefined ? latest.data : shown.data;
  const nodes = useMemo(() => pipeline?.spec.steps.map((s) => ({ name: s.name, type: s.type, needs: s.needs ?? [] })) ?? [], [pipeline]);

  const runNow = async () => {
    setRunError(undefined);
    setStarted(undefined);
    try {
      setStarted(await postJson<PipelineRun>(path`/api/v1/pipelines/${name}/runs`));
    } catch (e) {
      setRunError(e instanceof ApiError && e.status === 409 ? `Not started: ${e.message}` : errorText(e));
    }
    runs.reload();
  };

  const newest = latest.data?.version ?? 0;
  return (
    <>
      <p>
        <Link to="/pipelines">← All pipelines</Link>
      </p>
      <div className="row page-head">
        <h1>Pipeline {name}</h1>
        <button type="button" onClick={() => void runNow()} disabled={!latest.data}>
          Run now
        </button>
      </div>
      <ErrorNote error={runError} />
      {started && (
        <p className="notice" role="status">
          Started <Link to={`/pipelines/runs/${started.id}`}>run {started.id}</Link> ({started.state}).
        </p>
      )}
      <ErrorNote error={latest.error} />
      {latest.data && (
        <section className="panel" aria-label="About the pipeline">
          <dl className="facts">
            <dt>Project</dt>
            <dd>{latest.data.project}</dd>
            <dt>Newest version</dt>
            <dd>{newest}</dd>
            <dt>Applied</dt>
            <dd>
              {when(latest.data.applied_at)} by {latest.data.applied_by}
            </dd>
            <dt>Webhook</dt>
            <dd>{latest.data.webhook ? 'yes' : 'no'}</dd>
            {latest.data.spec.description && (
              <>
                <dt>Description</dt>
                <dd>{latest.data.spec.description}</dd>
              </>
            )}
          </dl>
        </section>
      )}
      {latest.data && (
        <>
          <h2>Steps</h2>
          <div className="version-pick">
            <Field label="Version">
              {(id) => (
                <select
                  id={id}
                  value={version ?? newest}
                  onChange={(e) => setVersion(Number(e.target.value) === newest ? undefined : Number(e.target.value))}
                >
                  {Array.from({ length: newest }, (_, i) => newest - i).map((v) => (
                    <option key={v} value={v}>
                      {v === newest ? `${v} (newest)` : v}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <ErrorNote error={version === undefined ? undefined : shown.error} />
          {pipeline && <Dag nodes={nodes} label={`Steps of ${name}, version ${pipeline.shown_version ?? pipeline.version}`} />}
          <h2>Runs</h2>
          <ErrorNote error={runs.error} />
          {runs.data && <RunsTable runs={runs.data} />}
          {pipeline && (
            <>
              <h2>YAML of version {pipeline.shown_version ?? pipeline.version}</h2>
              <pre className="yaml" tabIndex={0} aria-label="Pipeline YAML">
                {pipeline.yaml}
              </pre>
            </>
          )}
          <PipelineActions name={name} webhook={latest.data.webhook} />
        </>
      )}
    </>
  );
}

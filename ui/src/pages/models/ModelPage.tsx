// One model: its versions and aliases, the version shown (?version=V, else the newest) with
// its deploy form, evaluation, leaderboard, parameters, lineage, bundle and explanations.
import { useState } from 'react';
import { getJson, path } from '../../api/client';
import type { Model, ModelVersionDetail, ModelVersionSummary } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Tabs } from '../../components/Tabs';
import { bytes, when } from '../../format';
import { usePoll } from '../../hooks/usePoll';
import { Link, navigate } from '../../router';
import { Leaderboard } from '../training/Leaderboard';
import { Aliases } from './Aliases';
import { Bundle } from './Bundle';
import { DeleteVersion } from './DeleteVersion';
import { DeployForm } from './DeployForm';
import { Description } from './Description';
import { Evaluation } from './Evaluation';
import { ExplainRow } from './ExplainRow';
import { Lineage } from './Lineage';
import { Params } from './Params';
import { VersionsTable } from './VersionsTable';

type ModelAnswer = Model & { versions: ModelVersionSummary[]; latest: ModelVersionDetail | null };
type Section = 'evaluation' | 'leaderboard' | 'params' | 'lineage' | 'explain';

const kSections: { id: Section; label: string }[] = [
  { id: 'evaluation', label: 'Evaluation' },
  { id: 'leaderboard', label: 'Leaderboard' },
  { id: 'params', label: 'Parameters' },
  { id: 'lineage', label: 'Lineage' },
  { id: 'explain', label: 'Explain a row' },
];

export function ModelPage({ name, version }: { name: string; version?: string }) {
  const model = usePoll(() => getJson<ModelAnswer>(path`/api/v1/models/${name}`), [name]);
  const shown = version ? Number(version) : model.data?.latest_version;
  const detail = usePoll(
    () =>
      shown ? getJson<ModelVersionDetail>(path`/api/v1/models/${name}/versions/${shown}`) : Promise.resolve(undefined),
    [name, shown],
  );
  const [section, setSection] = useState<Section>('evaluation');
  const m = model.data;
  const d = detail.data;

  return (
    <>
      <p>
        <Link to="/models">← Models</Link>
      </p>
      <h1>
        {name}
        {shown ? <span className="muted"> @{shown}</span> : null}
      </h1>
      <ErrorNote error={model.error} />
      {model.loading && !m && <p className="loading">Loading…</p>}
      {m && <Description model={m} onChange={model.reload} />}
      {m && m.versions.length === 0 && <p className="muted">This model has no versions.</p>}
      {m && shown !== undefined && m.versions.length > 0 && (
        <>
          <VersionsTable versions={m.versions} shown={shown} />
          <ErrorNote error={detail.error} />
          {d && (
            <section className="panel" aria-labelledby="version-heading">
              <h2 id="version-heading">Version {d.version}</h2>
              <p>{d.description}</p>
              <dl className="facts">
                <dt>Task</dt>
                <dd>{d.task}</dd>
                <dt>Created</dt>
                <dd>{when(d.created_at)}</dd>
                <dt>Training run</dt>
                <dd>{d.job_id ? <Link to={`/training/${d.job_id}`}>run {d.job_id}</Link> : '—'}</dd>
                <dt>Members</dt>
                <dd>
                  {d.members.map((member) => `${member.name} (${bytes(member.size_bytes)})`).join(', ')}
                </dd>
              </dl>
            </section>
          )}
          <div className="model-columns">
            <Aliases model={m} version={shown} onChange={model.reload} />
            <DeployForm model={name} version={shown} />
          </div>
          {d && (
            <>
              <Tabs tabs={kSections} current={section} onChange={setSection} label="Version details" />
              <div role="tabpanel" aria-label={kSections.find((s) => s.id === section)?.label}>
                {section === 'evaluation' && <Evaluation detail={d} />}
                {section === 'leaderboard' && (
                  <section className="panel" aria-labelledby="model-leaderboard-heading">
                    <h2 id="model-leaderboard-heading">Leaderboard</h2>
                    <Leaderboard trials={d.leaderboard ?? []} />
                  </section>
                )}
                {section === 'params' && <Params detail={d} />}
                {section === 'lineage' && <Lineage detail={d} />}
                {section === 'explain' && <ExplainRow detail={d} />}
              </div>
              <Bundle detail={d} onImported={model.reload} />
              <DeleteVersion
                model={name}
                version={d.version}
                onDeleted={() => {
                  navigate(`/models/${encodeURIComponent(name)}`, true);
                  model.reload();
                }}
              />
            </>
          )}
        </>
      )}
    </>
  );
}

// /datasets/<name>[?version=N]: the version picker, the version's facts and its tabs.
import { useEffect, useRef, useState } from 'react';
import { ApiError, getJson, path } from '../../api/client';
import type { Dataset } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { usePoll } from '../../hooks/usePoll';
import { Link, navigate, useLocation } from '../../router';
import { VersionView, type TabId } from './VersionView';

export function DatasetPage({ name }: { name: string }) {
  const { query } = useLocation();
  const [tab, setTab] = useState<TabId>('preview');
  const [tick, setTick] = useState(0);
  const dataset = usePoll(
    () =>
      getJson<Dataset>(path`/api/v1/datasets/${name}`).catch((e) => {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }),
    [name, tick],
  );
  const home = `/datasets/${encodeURIComponent(name)}`;

  // A version made since the list was read (a transform just saved here): read it again, once.
  const askedFor = Number(query.get('version'));
  const refreshedFor = useRef<number>();
  const listed = dataset.data?.versions.some((v) => v.version === askedFor);
  useEffect(() => {
    if (!dataset.data || listed || !(askedFor > 0) || refreshedFor.current === askedFor) return;
    refreshedFor.current = askedFor;
    dataset.reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dataset.data, listed, askedFor]);

  const heading = (
    <div className="row dataset-heading">
      <Link to="/datasets">Datasets</Link>
      <span aria-hidden="true">/</span>
      <h1>{name}</h1>
    </div>
  );
  if (dataset.error) {
    return (
      <>
        {heading}
        <ErrorNote error={`The dataset could not be loaded: ${dataset.error}`} />
      </>
    );
  }
  if (dataset.data === undefined) return heading;
  if (dataset.data === null) {
    return (
      <>
        {heading}
        <p>
          There is no dataset named {name} (or it was deleted). <Link to="/datasets">All datasets</Link>
        </p>
      </>
    );
  }

  const versions = [...dataset.data.versions].sort((a, b) => b.version - a.version);
  const latest = dataset.data.latest?.version ?? versions[0]?.version;
  const asked = Number(query.get('version'));
  const version = query.get('version') && Number.isInteger(asked) && asked > 0 ? asked : latest;
  const known = versions.some((v) => v.version === version);

  const pick = (v: number) => navigate(v === latest ? home : `${home}?version=${v}`);
  // After a delete, the newest remaining version (or the list when none is left).
  const onDeleted = () => {
    navigate(home, true);
    setTick((t) => t + 1);
  };

  return (
    <>
      {heading}
      <div className="row version-picker">
        <Field label="Version">
          {(id) => (
            <select id={id} value={known ? version : ''} onChange={(e) => pick(Number(e.target.value))}>
              {!known && <option value="">{version} (not found)</option>}
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version}
                  {v.version === latest ? ' (latest)' : ''} · {v.row_count.toLocaleString('en-US')} rows
                </option>
              ))}
            </select>
          )}
        </Field>
        <span className="muted">
          {versions.length} version{versions.length === 1 ? '' : 's'}
        </span>
      </div>
      {known ? (
        <VersionView key={version} name={name} version={version} tab={tab} onTab={setTab} onDeleted={onDeleted} />
      ) : (
        <ErrorNote error={`${name} has no version ${version}: pick one above.`} />
      )}
    </>
  );
}

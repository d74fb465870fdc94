// One dataset version: its facts, a delete button, and the tabs over its data.
import { useState } from 'react';
import { del, errorText, getJson, path } from '../../api/client';
import type { VersionDetail } from '../../api/types';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Tabs } from '../../components/Tabs';
import { bytes, number, when } from '../../format';
import { usePoll } from '../../hooks/usePoll';
import { Link } from '../../router';
import { LineageTab } from './LineageTab';
import { PreviewTab } from './PreviewTab';
import { SchemaTab } from './SchemaTab';
import { StatisticsTab } from './StatisticsTab';
import { TransformTab } from './TransformTab';

export type TabId = 'preview' | 'statistics' | 'schema' | 'transform' | 'lineage';

const kTabs: { id: TabId; label: string }[] = [
  { id: 'preview', label: 'Preview' },
  { id: 'statistics', label: 'Statistics' },
  { id: 'schema', label: 'Schema' },
  { id: 'transform', label: 'Transform' },
  { id: 'lineage', label: 'Lineage' },
];

// {"kind":"upload","filename":"credit.csv","format":"csv"} -> "upload of credit.csv (csv)".
function sourceText(source: Record<string, unknown> | null): string {
  if (!source) return '—';
  const kind = String(source.kind ?? 'unknown');
  const what = source.url ?? source.path ?? source.filename;
  return `${kind.replace(/_/g, ' ')}${what ? ` of ${String(what)}` : ''}${source.format ? ` (${String(source.format)})` : ''}`;
}

export function VersionView({
  name,
  version,
  tab,
  onTab,
  onDeleted,
}: {
  name: string;
  version: number;
  tab: TabId;
  onTab: (tab: TabId) => void;
  onDeleted: () => void;
}) {
  const detail = usePoll(() => getJson<VersionDetail>(path`/api/v1/datasets/${name}/versions/${version}`), [name, version]);
  const [deleteError, setDeleteError] = useState<string>();
  const remove = async () => {
    setDeleteError(undefined);
    try {
      await del(path`/api/v1/datasets/${name}/versions/${version}`);
      onDeleted();
    } catch (e) {
      setDeleteError(`Version ${version} was not deleted: ${errorText(e)}`);
    }
  };

  if (detail.error) return <ErrorNote error={`Version ${version} could not be loaded: ${detail.error}`} />;
  const v = detail.data;
  if (!v) return <p className="loading">Loading version {version}…</p>;
  return (
    <>
      <section className="panel">
        <dl className="facts version-facts">
          <div className="fact">
            <dt>Rows</dt>
            <dd>{number(v.row_count)}</dd>
          </div>
          <div className="fact">
            <dt>Columns</dt>
            <dd>{number(v.column_count)}</dd>
          </div>
          <div className="fact">
            <dt>Size</dt>
            <dd>{bytes(v.size_bytes)}</dd>
          </div>
          <div className="fact">
            <dt>Created</dt>
            <dd>{when(v.created_at)}</dd>
          </div>
          <div className="fact wide">
            <dt>Hash (SHA-256)</dt>
            <dd className="mono">{v.hash}</dd>
          </div>
          <div className="fact wide">
            <dt>Source</dt>
            <dd>
              {sourceText(v.source)}
              {v.job_id !== null && (
                <>
                  {' · '}
                  <Link to={`/jobs/${v.job_id}`}>job {v.job_id}</Link>
                </>
              )}
            </dd>
          </div>
        </dl>
        <div className="row version-actions">
          <ConfirmButton
            label={`Delete ${name}@${version}`}
            question={
              <p>
                Delete version {version} of {name} ({number(v.row_count)} rows)? Models and pipelines that name it will no
                longer find it; the ledger keeps its record.
              </p>
            }
            confirmLabel="Delete"
            danger
            onConfirm={remove}
          />
        </div>
        <ErrorNote error={deleteError} />
      </section>
      <Tabs label="Dataset sections" tabs={kTabs} current={tab} onChange={onTab} />
      <div role="tabpanel" aria-label={kTabs.find((t) => t.id === tab)?.label}>
        {tab === 'preview' && <PreviewTab name={name} version={version} />}
        {tab === 'statistics' && <StatisticsTab name={name} version={version} />}
        {tab === 'schema' && <SchemaTab columns={v.schema} />}
        {tab === 'transform' && <TransformTab name={name} version={version} onOpened={() => onTab('preview')} />}
        {tab === 'lineage' && <LineageTab name={name} version={v} />}
      </div>
    </>
  );
}

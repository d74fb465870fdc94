// SQL over this version (the view `input`): a preview of the result, then a job that saves
// it as a new version of this or another dataset.
import { useState } from 'react';
import { errorText, postJson } from '../../api/client';
import type { Column, Job, VersionSummary } from '../../api/types';
import { Badge } from '../../components/Badge';
import { DataTable } from '../../components/DataTable';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { ProgressBar } from '../../components/ProgressBar';
import { number } from '../../format';
import { Link } from '../../router';
import { finished, useJob } from './useJob';

interface PreviewAnswer {
  columns: Column[];
  rows: unknown[][];
  truncated: boolean;
}

export function TransformTab({ name, version, onOpened }: { name: string; version: number; onOpened: () => void }) {
  const input = `${name}@${version}`;
  const [sql, setSql] = useState('SELECT * FROM input LIMIT 100');
  const [output, setOutput] = useState(name);
  const [preview, setPreview] = useState<PreviewAnswer>();
  const [previewing, setPreviewing] = useState(false);
  const [previewError, setPreviewError] = useState<string>();
  const [started, setStarted] = useState<Job>();
  const [saveError, setSaveError] = useState<string>();
  const { job, error: followError } = useJob(started);
  const saving = !!started && !finished(job);

  const runPreview = async () => {
    setPreviewing(true);
    setPreviewError(undefined);
    try {
      setPreview(await postJson<PreviewAnswer>('/api/v1/transforms/preview', { input, sql, limit: 200 }));
    } catch (e) {
      setPreview(undefined);
      setPreviewError(errorText(e));
    } finally {
      setPreviewing(false);
    }
  };

  const save = async () => {
    setSaveError(undefined);
    setStarted(undefined);
    try {
      const answer = await postJson<{ job: Job }>('/api/v1/transforms', { input, sql, output: output || name });
      setStarted(answer.job);
    } catch (e) {
      setSaveError(errorText(e));
    }
  };

  const made = job?.state === 'succeeded' ? (job.result as VersionSummary | null) : null;
  return (
    <section className="panel">
      <p className="muted">
        One DuckDB <code>SELECT</code> over the view <code>input</code>, which holds {input}. Files, network and settings are
        out of reach.
      </p>
      <Field label="SQL">
        {(id) => <textarea id={id} rows={6} spellCheck={false} value={sql} onChange={(e) => setSql(e.target.value)} />}
      </Field>
      <div className="form-grid">
        <Field label="Output dataset" hint="A new version of this dataset, or a new dataset">
          {(id) => <input id={id} type="text" value={output} onChange={(e) => setOutput(e.target.value)} />}
        </Field>
      </div>
      <div className="row">
        <button type="button" className="secondary" disabled={previewing || !sql.trim()} onClick={() => void runPreview()}>
          {previewing ? 'Running…' : 'Preview'}
        </button>
        <button type="button" disabled={saving || !sql.trim()} onClick={() => void save()}>
          Save as new version
        </button>
      </div>
      <ErrorNote error={previewError && `The preview failed: ${previewError}`} />
      <ErrorNote error={saveError && `The transform was not started: ${saveError}`} />
      {started && (
        <div className="transform-job">
          <div className="row">
            <span>
              Transform job <Link to={`/jobs/${started.id}`}>{started.id}</Link>
            </span>
            {job && <Badge state={job.state} />}
            {job?.message && <span className="muted">{job.message}</span>}
          </div>
          <ProgressBar label="Transform progress" value={job?.progress ?? 0} />
          <ErrorNote error={followError && `The job could not be read: ${followError}`} />
          {(job?.state === 'failed' || job?.state === 'cancelled') && <ErrorNote error={`The transform ${job.state}: ${job.error ?? job.message}`} />}
          {made && (
            <p className="notice">
              Saved as{' '}
              <Link to={`/datasets/${encodeURIComponent(made.dataset)}?version=${made.version}`} onClick={onOpened}>
                {made.dataset}@{made.version}
              </Link>{' '}
              ({number(made.row_count)} rows, {number(made.column_count)} columns).
            </p>
          )}
        </div>
      )}
      {preview && (
        <>
          <h3>Result</h3>
          <p className="muted">
            {number(preview.rows.length)} rows{preview.truncated ? ' shown (the result has more)' : ''}, {preview.columns.length}{' '}
            columns: {preview.columns.map((c) => `${c.name} ${c.type}`).join(', ')}.
          </p>
          <DataTable
            label="Transform result"
            columns={preview.columns.map((c) => c.name)}
            rowCount={preview.rows.length}
            rowAt={(i) => preview.rows[i]}
            height={Math.min(360, 26 * (preview.rows.length + 1) + 4)}
          />
        </>
      )}
    </section>
  );
}

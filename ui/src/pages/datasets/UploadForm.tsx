// Uploads a file as a new dataset version: the bytes with an upload bar, then the import
// job with its own bar and message; on success the dataset's page opens.
import { useEffect, useState, type FormEvent } from 'react';
import { errorText, upload } from '../../api/client';
import type { Job, VersionSummary } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { SelectField } from '../../components/SelectField';
import { ProgressBar } from '../../components/ProgressBar';
import { bytes } from '../../format';
import { navigate } from '../../router';
import { useJob } from './useJob';

const kFormats = ['csv', 'tsv', 'jsonl', 'parquet'];

// "credit data-2024.csv" -> "credit_data_2024": letters, digits and '_' only.
export function nameFromFile(filename: string): string {
  const stem = filename.replace(/\.[^.]*$/, '');
  return stem.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
}

export function UploadForm() {
  const [file, setFile] = useState<File>();
  const [name, setName] = useState('');
  const [nameEdited, setNameEdited] = useState(false);
  const [format, setFormat] = useState('');
  const [append, setAppend] = useState(false);
  const [sent, setSent] = useState<number>();
  const [started, setStarted] = useState<Job>();
  const [error, setError] = useState<string>();
  const { job, error: followError } = useJob(started);
  const busy = sent !== undefined && (!started || job?.state === 'queued' || job?.state === 'running');

  useEffect(() => {
    if (job?.state === 'succeeded') {
      const version = job.result as VersionSummary | null;
      navigate(`/datasets/${encodeURIComponent(version?.dataset ?? name)}`);
    } else if (job?.state === 'failed' || job?.state === 'cancelled') {
      setError(`The import ${job.state}: ${job.error ?? job.message}`);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [job?.state]);

  const pick = (picked: File | undefined) => {
    setFile(picked);
    if (picked && !nameEdited) setName(nameFromFile(picked.name));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file || !name) return;
    setError(undefined);
    setStarted(undefined);
    setSent(0);
    const query = new URLSearchParams({ name, filename: file.name });
    if (format) query.set('format', format);
    if (append) query.set('append', 'true');
    try {
      const answer = await upload<{ job: Job }>(`/api/v1/datasets?${query}`, file, setSent);
      setStarted(answer.job);
    } catch (e) {
      setSent(undefined);
      setError(`The upload failed: ${errorText(e)}`);
    }
  };

  return (
    <section className="panel">
      <h2 className="panel-title">
        Upload a file
      </h2>
      <form onSubmit={(e) => void submit(e)}>
        <div className="form-grid">
          <Field label="File" hint={file ? `${file.name}, ${bytes(file.size)}` : 'CSV, TSV, JSON lines or Parquet'}>
            {(id) => <input id={id} type="file" required disabled={busy} onChange={(e) => pick(e.target.files?.[0])} />}
          </Field>
          <Field label="Dataset name" hint="Letters, digits, '_', '-' or '.'; an existing name gets a new version">
            {(id) => (
              <input
                id={id}
                type="text"
                required
                maxLength={128}
                pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*"
                value={name}
                disabled={busy}
                onChange={(e) => {
                  setName(e.target.value);
                  setNameEdited(e.target.value !== '');
                }}
              />
            )}
          </Field>
          <SelectField label="Format" value={format} options={kFormats} onChange={setFormat} disabled={busy} placeholder="From the file name" />
        </div>
        <label className="check">
          <input type="checkbox" checked={append} disabled={busy} onChange={(e) => setAppend(e.target.checked)} /> Append the
          rows to the newest version
        </label>
        <div className="row upload-actions">
          <button type="submit" disabled={busy || !file || !name}>
            Upload
          </button>
          {(file || sent !== undefined) && (
            <div className="upload-bars">
              <div className="bar-line">
                <span className="muted">Upload</span>
                <ProgressBar label="Upload progress" value={(sent ?? 0) * 100} />
              </div>
              {started && (
                <div className="bar-line">
                  <span className="muted">Import</span>
                  <ProgressBar label="Import progress" value={job?.progress ?? 0} />
                </div>
              )}
              {started && (
                <span className="muted" aria-live="polite">
                  Import job {started.id}: {job?.state}
                  {job?.message ? ` (${job.message})` : ''}
                </span>
              )}
            </div>
          )}
        </div>
        <ErrorNote error={error} />
        <ErrorNote error={followError && `The import job could not be read: ${followError}`} />
      </form>
    </section>
  );
}

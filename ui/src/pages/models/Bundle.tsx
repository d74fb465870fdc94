// Export the version shown as a bundle file, or import a bundle as a new version. The
// download goes through fetch (the token may be a header, which a plain link cannot send)
// and is saved from a Blob.
import { useState, type FormEvent } from 'react';
import { errorText, path, request, upload } from '../../api/client';
import type { ModelVersionDetail } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { ProgressBar } from '../../components/ProgressBar';
import { bytes } from '../../format';
import { Link } from '../../router';

export function Bundle({ detail, onImported }: { detail: ModelVersionDetail; onImported: () => void }) {
  return (
    <section className="panel" aria-labelledby="bundle-heading">
      <h2 id="bundle-heading">Export and import</h2>
      <Export detail={detail} />
      <Import onImported={onImported} />
    </section>
  );
}

function Export({ detail }: { detail: ModelVersionDetail }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const download = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const response = await request('GET', path`/api/v1/models/${detail.model}/versions/${detail.version}/bundle`);
      const disposition = response.headers.get('Content-Disposition') ?? '';
      const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `${detail.model}-${detail.version}.aimass`;
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = filename;
      document.body.appendChild(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="bundle-part">
      <h3>Export</h3>
      <div className="row">
        <button type="button" className="secondary" disabled={busy} onClick={() => void download()}>
          {busy ? 'Downloading…' : `Download ${detail.model}@${detail.version} bundle`}
        </button>
        <span className="muted">{bytes(detail.bundle_size_bytes)}, a tar archive another aimass server can import</span>
      </div>
      <ErrorNote error={error} />
    </div>
  );
}

function Import({ onImported }: { onImported: () => void }) {
  const [file, setFile] = useState<File>();
  const [name, setName] = useState('');
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState<string>();
  const [made, setMade] = useState<ModelVersionDetail>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setError(undefined);
    setMade(undefined);
    setProgress(0);
    const query = new URLSearchParams({ filename: file.name });
    if (name.trim()) query.set('name', name.trim());
    try {
      const version = await upload<ModelVersionDetail>(`/api/v1/models/import?${query}`, file, setProgress);
      setMade(version);
      onImported();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setProgress(undefined);
    }
  };
  return (
    <form className="bundle-part" onSubmit={(e) => void submit(e)}>
      <h3>Import</h3>
      <div className="form-grid">
        <Field label="Bundle file" hint=".aimass file">
          {(id) => <input id={id} type="file" accept=".aimass,.tar,application/x-tar" onChange={(e) => setFile(e.target.files?.[0])} />}
        </Field>
        <Field label="Import as model" hint="optional; default: the bundle's model">
          {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
      </div>
      <div className="row">
        <button type="submit" disabled={!file || progress !== undefined}>
          Import bundle
        </button>
        {progress !== undefined && <ProgressBar value={progress * 100} label="Bundle upload progress" />}
      </div>
      <ErrorNote error={error} />
      {made && (
        <p className="notice" role="status">
          Imported as{' '}
          <Link to={`/models/${encodeURIComponent(made.model)}?version=${made.version}`}>
            {made.model}@{made.version}
          </Link>{' '}
          ({made.task}, {made.member_count} members).
        </p>
      )}
    </form>
  );
}

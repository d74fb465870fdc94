// The model's description, editable in place (PATCH /api/v1/models/{name}).
import { useState, type FormEvent } from 'react';
import { errorText, path, patchJson } from '../../api/client';
import type { Model } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';

export function Description({ model, onChange }: { model: Model; onChange: () => void }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(model.description);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await patchJson(path`/api/v1/models/${model.name}`, { description: text });
      setEditing(false);
      onChange();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  if (!editing) {
    return (
      <div className="row description">
        <p className={model.description ? undefined : 'muted'}>{model.description || 'No description.'}</p>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setText(model.description);
            setEditing(true);
          }}
        >
          Edit description
        </button>
      </div>
    );
  }
  return (
    <form onSubmit={(e) => void save(e)}>
      <Field label="Description">
        {(id) => <textarea id={id} rows={3} value={text} onChange={(e) => setText(e.target.value)} />}
      </Field>
      <div className="row">
        <button type="submit" disabled={busy}>
          Save description
        </button>
        <button type="button" className="secondary" onClick={() => setEditing(false)}>
          Cancel
        </button>
        <ErrorNote error={error} />
      </div>
    </form>
  );
}

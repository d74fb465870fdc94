// Deletes the version shown, after asking; a version an alias or endpoint uses answers 409,
// shown here.
import { useState } from 'react';
import { del, errorText, path } from '../../api/client';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';

export function DeleteVersion({ model, version, onDeleted }: { model: string; version: number; onDeleted: () => void }) {
  const [error, setError] = useState<string>();
  const remove = async () => {
    setError(undefined);
    try {
      await del(path`/api/v1/models/${model}/versions/${version}`);
      onDeleted();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <section className="panel" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete this version</h2>
      <div className="row">
        <ConfirmButton
          label={`Delete ${model}@${version}`}
          danger
          question={
            <p>
              Delete version {version} of <strong>{model}</strong>? Its members go too unless another version shares them.
              This cannot be undone.
            </p>
          }
          confirmLabel="Delete version"
          onConfirm={remove}
        />
      </div>
      <ErrorNote error={error} />
    </section>
  );
}

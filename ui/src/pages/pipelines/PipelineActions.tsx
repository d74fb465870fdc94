// A pipeline's webhook token and its deletion, each asked about first.
import { useState } from 'react';
import { ApiError, del, errorText, path, postJson } from '../../api/client';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { navigate } from '../../router';

export function PipelineActions({ name, webhook }: { name: string; webhook: boolean }) {
  const [token, setToken] = useState<string>();
  const [tokenError, setTokenError] = useState<string>();
  const [deleteError, setDeleteError] = useState<string>();

  const newToken = async () => {
    setTokenError(undefined);
    try {
      setToken((await postJson<{ webhook_token: string }>(path`/api/v1/pipelines/${name}/webhook-token`)).webhook_token);
    } catch (e) {
      setTokenError(errorText(e));
    }
  };

  const remove = async () => {
    setDeleteError(undefined);
    try {
      await del(path`/api/v1/pipelines/${name}`);
      navigate('/pipelines');
    } catch (e) {
      setDeleteError(e instanceof ApiError && e.status === 409 ? `Not deleted: ${e.message}` : errorText(e));
    }
  };

  return (
    <>
      <h2>Webhook</h2>
      {!webhook && <p className="muted">This pipeline has no webhook trigger; add “- webhook: {'{}'}” to its triggers to have one.</p>}
      {webhook && (
        <div className="panel">
          <p>
            Runs start on <code>POST {path`/api/v1/pipelines/${name}/webhook`}</code> with the header <code>X-Aimass-Webhook-Token</code>.
            A new token stops the old one from working.
          </p>
          <ConfirmButton
            label="New webhook token"
            question={`Make a new webhook token for ${name}? The old token stops working at once.`}
            confirmLabel="Make a new token"
            onConfirm={newToken}
          />
          <ErrorNote error={tokenError} />
          {token && (
            <p className="notice token" role="status">
              New webhook token (shown only now; keep it): <code>{token}</code>
            </p>
          )}
        </div>
      )}
      <h2>Delete</h2>
      <div className="panel">
        <p>Deleting removes the pipeline with its versions and triggers. A pipeline with a queued or running run cannot be deleted.</p>
        <ConfirmButton label="Delete pipeline" question={`Delete the pipeline ${name}?`} confirmLabel="Delete" danger onConfirm={remove} />
        <ErrorNote error={deleteError} />
      </div>
    </>
  );
}

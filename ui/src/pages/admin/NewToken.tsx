// Makes a token; its secret is shown this once, in a read-only field with a copy button.
import { useState, type FormEvent } from 'react';
import { errorText, postJson } from '../../api/client';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { SelectField } from '../../components/SelectField';
import type { Token } from './types';

const kScopes = ['read', 'read,write', 'predict', 'admin'];

export function NewToken({ users, onCreated }: { users: string[]; onCreated: () => void }) {
  const [label, setLabel] = useState('');
  const [scopes, setScopes] = useState('read');
  const [days, setDays] = useState('90');
  const [user, setUser] = useState('');
  const [endpoint, setEndpoint] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<{ token: string; id: number; user: string }>();
  const [copied, setCopied] = useState(false);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSecret(undefined);
    setCopied(false);
    setBusy(true);
    try {
      const body: Record<string, unknown> = { label: label.trim(), scopes, expires_in_days: Number(days || '0') };
      if (user) body.user = user;
      if (scopes === 'predict' && endpoint.trim()) body.endpoint = endpoint.trim();
      const made = await postJson<Token & { token: string }>('/api/v1/tokens', body);
      setSecret({ token: made.token, id: made.id, user: made.user });
      setLabel('');
      onCreated();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret.token);
      setCopied(true);
    } catch {
      setError('The browser did not allow copying: select the text and copy it yourself.');
    }
  };

  return (
    <section className="panel" aria-labelledby="new-token-heading">
      <h2 id="new-token-heading" className="admin-heading">
        New token
      </h2>
      <form onSubmit={(e) => void create(e)}>
        <div className="form-grid">
          <Field label="Label">
            {(id) => <input id={id} value={label} onChange={(e) => setLabel(e.target.value)} placeholder="e.g. ci" />}
          </Field>
          <SelectField label="Scopes" value={scopes} options={kScopes} onChange={setScopes} />
          <Field label="Expires in days" hint="0: never">
            {(id) => <input id={id} type="number" min={0} step={1} value={days} onChange={(e) => setDays(e.target.value)} />}
          </Field>
          <SelectField label="User" hint="optional: yourself when empty" value={user} options={users} onChange={setUser} placeholder="(me)" />
          {scopes === 'predict' && (
            <Field label="Endpoint" hint="optional: only this endpoint">
              {(id) => <input id={id} value={endpoint} onChange={(e) => setEndpoint(e.target.value)} />}
            </Field>
          )}
        </div>
        <div className="row">
          <button type="submit" disabled={busy}>
            Create token
          </button>
        </div>
        <ErrorNote error={error} />
      </form>
      {secret && (
        <div className="admin-secret" role="status">
          <p className="admin-warning">
            Copy token {secret.id} for {secret.user} now: it is shown this once and cannot be read again.
          </p>
          <Field label="Token secret">
            {(id) => <input id={id} className="mono" readOnly value={secret.token} onFocus={(e) => e.currentTarget.select()} />}
          </Field>
          <div className="row">
            <button type="button" className="secondary" onClick={() => void copy()}>
              Copy
            </button>
            {copied && <span className="notice">Copied</span>}
          </div>
        </div>
      )}
    </section>
  );
}

// Tokens: everyone's (an admin sees all), a form that makes one, its secret shown once,
// and revoking.
import { useState } from 'react';
import { del, errorText, getJson, path } from '../../api/client';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { usePoll } from '../../hooks/usePoll';
import { when } from '../../format';
import { NewToken } from './NewToken';
import type { Token, User } from './types';

export function TokensTab() {
  const tokens = usePoll(() => getJson<{ tokens: Token[] }>('/api/v1/tokens'), []);
  const users = usePoll(() => getJson<{ users: User[] }>('/api/v1/users'), []);
  const [error, setError] = useState<string>();

  const revoke = async (token: Token) => {
    setError(undefined);
    try {
      await del(path`/api/v1/tokens/${token.id}`);
      tokens.reload();
    } catch (e) {
      setError(`Token ${token.id}: ${errorText(e)}`);
    }
  };

  return (
    <>
      <section className="panel" aria-labelledby="tokens-heading">
        <h2 id="tokens-heading" className="admin-heading">
          Tokens
        </h2>
        <ErrorNote error={tokens.error} />
        <ErrorNote error={error} />
        {tokens.data && (
          <div className="table-wrap">
            <table className="grid admin-tokens" aria-label="Tokens">
              <thead>
                <tr>
                  <th>Id</th>
                  <th>User</th>
                  <th>Label</th>
                  <th>Scopes</th>
                  <th>Endpoint</th>
                  <th>Created</th>
                  <th>Expires</th>
                  <th>Last used</th>
                  <th>Revoked</th>
                </tr>
              </thead>
              <tbody>
                {tokens.data.tokens.map((token) => (
                  <tr key={token.id} className={token.revoked ? 'admin-revoked' : undefined}>
                    <td>{token.id}</td>
                    <td>{token.user}</td>
                    <td>{token.label || '—'}</td>
                    <td>{token.scopes}</td>
                    <td>{token.endpoint || '—'}</td>
                    <td>{when(token.created_at)}</td>
                    <td>{token.expires_at ? when(token.expires_at) : 'never'}</td>
                    <td>{when(token.last_used_at)}</td>
                    <td>
                      {token.revoked ? (
                        'revoked'
                      ) : (
                        <ConfirmButton
                          label={`Revoke token ${token.id}`}
                          question={`Revoke token ${token.id} (${token.user}${token.label ? ', ' + token.label : ''})? It stops working at once.`}
                          confirmLabel="Revoke"
                          danger
                          onConfirm={() => revoke(token)}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <NewToken users={users.data?.users.map((u) => u.name) ?? []} onCreated={tokens.reload} />
    </>
  );
}

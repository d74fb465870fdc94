// /endpoints/<name>: what it serves, changes to it, live numbers and "Try it".
import { useState } from 'react';
import { del, errorText, getJson, path } from '../../api/client';
import type { Endpoint } from '../../api/types';
import { Badge } from '../../components/Badge';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { usePoll } from '../../hooks/usePoll';
import { when } from '../../format';
import { Link, navigate } from '../../router';
import { EditForm } from './EditForm';
import { canaryText } from './EndpointList';
import { LiveQuality } from './LiveQuality';
import { LiveTraffic } from './LiveTraffic';
import { TryIt } from './TryIt';

interface Serving {
  model?: string;
  task?: string;
  notes?: string[];
}

export function EndpointPage({ name }: { name: string }) {
  const [settling, setSettling] = useState(false);
  // Reloaded every 2 s only while a model is loading or switching, then it stops.
  const endpoint = usePoll(() => getJson<Endpoint>(path`/api/v1/endpoints/${name}`), [name, settling], settling ? 2000 : 0);
  const [deleteError, setDeleteError] = useState<string>();
  const data = endpoint.data;
  if (data && settling && !data.state.startsWith('loading')) setSettling(false);
  if (data && !settling && data.state.startsWith('loading')) setSettling(true);

  const remove = async () => {
    setDeleteError(undefined);
    try {
      await del(path`/api/v1/endpoints/${name}`);
      navigate('/endpoints');
    } catch (e) {
      setDeleteError(errorText(e));
    }
  };

  const serving = (data?.serving ?? null) as Serving | null;
  const canaryServing = (data?.canary_serving ?? null) as Serving | null;
  const shadowServing = (data?.shadow_serving ?? null) as Serving | null;
  return (
    <>
      <p className="muted">
        <Link to="/endpoints">Endpoints</Link> / {name}
      </p>
      <h1>
        Endpoint {name} {data && <Badge state={data.state} />}
      </h1>
      <ErrorNote error={endpoint.error} />
      {endpoint.loading && !data && <p className="loading">Loading…</p>}
      {data && (
        <>
          <section className="panel" aria-labelledby="facts-heading">
            <h2 id="facts-heading" className="ep-first-heading">
              Serving
            </h2>
            <dl className="facts">
              <dt>Model</dt>
              <dd>{data.model}</dd>
              <dt>Serving</dt>
              <dd>
                {serving?.model ?? '—'} {serving?.task && <span className="muted">({serving.task})</span>}
              </dd>
              <dt>State</dt>
              <dd>{data.state}</dd>
              <dt>Canary</dt>
              <dd>
                {canaryText(data)}
                {canaryServing?.model && <span className="muted"> serving {canaryServing.model}</span>}
              </dd>
              <dt>Shadow</dt>
              <dd>
                {data.shadow ?? '—'}
                {shadowServing?.model && <span className="muted"> serving {shadowServing.model}</span>}
              </dd>
              <dt>Updated</dt>
              <dd>{when(data.updated_at as string | undefined)}</dd>
              {serving?.notes && serving.notes.length > 0 && (
                <>
                  <dt>Notes</dt>
                  <dd>{serving.notes.join('; ')}</dd>
                </>
              )}
            </dl>
          </section>
          <LiveTraffic name={name} />
          <TryIt endpoint={data} />
          <LiveQuality name={name} />
          <EditForm
            endpoint={data}
            onSaved={() => {
              setSettling(true);
              endpoint.reload();
            }}
          />
          <section className="panel" aria-labelledby="delete-heading">
            <h2 id="delete-heading" className="ep-first-heading">
              Delete
            </h2>
            <p className="muted">Its metrics and prediction log go with it.</p>
            <ConfirmButton
              label="Delete endpoint"
              question={`Delete the endpoint ${name}? Clients calling it get 404 from now on.`}
              confirmLabel="Delete"
              danger
              onConfirm={remove}
            />
            <ErrorNote error={deleteError} />
          </section>
        </>
      )}
    </>
  );
}

// /endpoints: every endpoint the caller can see, and the form that deploys a new one.
import { getJson } from '../../api/client';
import type { Endpoint } from '../../api/types';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { usePoll } from '../../hooks/usePoll';
import { Link } from '../../router';
import { DeployForm } from './DeployForm';

export function canaryText(endpoint: Endpoint): string {
  return endpoint.canary ? `${endpoint.canary.model} (${endpoint.canary.percent}%)` : '—';
}

export function EndpointList() {
  const list = usePoll(() => getJson<{ endpoints: Endpoint[] }>('/api/v1/endpoints'), []);
  const endpoints = list.data?.endpoints ?? [];
  return (
    <>
      <h1>Endpoints</h1>
      <section className="panel" aria-labelledby="list-heading">
        <h2 id="list-heading" className="ep-first-heading">
          Serving now
        </h2>
        <ErrorNote error={list.error} />
        {list.loading && <p className="loading">Loading…</p>}
        {list.data && endpoints.length === 0 && <p className="muted">No endpoints yet: deploy a model below.</p>}
        {endpoints.length > 0 && (
          <div className="table-wrap">
            <table className="grid" aria-label="Endpoints">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Model</th>
                  <th>Canary</th>
                  <th>Shadow</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                {endpoints.map((endpoint) => (
                  <tr key={endpoint.name}>
                    <td>
                      <Link to={`/endpoints/${encodeURIComponent(endpoint.name)}`}>{endpoint.name}</Link>
                    </td>
                    <td>{endpoint.model}</td>
                    <td>{canaryText(endpoint)}</td>
                    <td>{endpoint.shadow ?? '—'}</td>
                    <td>
                      <Badge state={endpoint.state} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <DeployForm />
    </>
  );
}

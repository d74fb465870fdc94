// The training parameters the version was made with (the run's spec and what it chose).
import type { ModelVersionDetail } from '../../api/types';

export function Params({ detail }: { detail: ModelVersionDetail }) {
  const entries = Object.entries(detail.params ?? {});
  return (
    <section className="panel" aria-labelledby="params-heading">
      <h2 id="params-heading">Parameters</h2>
      {entries.length === 0 ? (
        <p className="muted">This version records no parameters.</p>
      ) : (
        <dl className="facts">
          {entries.map(([key, value]) => (
            <div key={key} className="contents">
              <dt>{key}</dt>
              <dd className="mono">{typeof value === 'string' ? value || '—' : JSON.stringify(value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

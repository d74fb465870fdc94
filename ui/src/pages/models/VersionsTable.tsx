// The model's versions, oldest first; the one shown is marked, the others link to it.
import type { ModelVersionSummary } from '../../api/types';
import { bytes, number, when } from '../../format';
import { Link } from '../../router';
import { mainMetric } from './metrics';

export function VersionsTable({ versions, shown }: { versions: ModelVersionSummary[]; shown: number }) {
  return (
    <section className="panel" aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions</h2>
      <div className="table-wrap versions">
        <table className="grid" aria-label="Versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Task</th>
              <th scope="col">Main metric</th>
              <th scope="col">Aliases</th>
              <th scope="col">Source</th>
              <th scope="col">Size</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {[...versions].reverse().map((v) => {
              const metric = mainMetric(v.task, v.metrics);
              const current = v.version === shown;
              return (
                <tr key={v.version} className={current ? 'current' : undefined} aria-current={current ? 'true' : undefined}>
                  <td>
                    {current ? (
                      <strong>v{v.version} (shown)</strong>
                    ) : (
                      <Link to={`/models/${encodeURIComponent(v.model)}?version=${v.version}`}>v{v.version}</Link>
                    )}
                  </td>
                  <td>{v.task}</td>
                  <td>{metric ? `${metric.name} ${number(metric.value)}` : '—'}</td>
                  <td>
                    {v.aliases.map((a) => (
                      <span key={a} className="badge alias">
                        {a}
                      </span>
                    ))}
                  </td>
                  <td>{sourceText(v.source)}</td>
                  <td>{bytes(v.size_bytes)}</td>
                  <td>{when(v.created_at)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function sourceText(source: Record<string, unknown> | null): string {
  if (!source) return '—';
  if (source.kind === 'training') return `training run ${String(source.job_id ?? '')}`;
  if (source.kind === 'bundle') return `bundle ${String(source.from ?? source.filename ?? '')}`;
  if (source.kind === 'xgboost_import') return `XGBoost file ${String(source.filename ?? '')}`;
  return String(source.kind ?? '—');
}

// Where the version came from: its lineage object (dataset version and hash, seed, library
// versions), a link to the dataset, and the ledger entries that record it.
import type { ModelVersionDetail } from '../../api/types';
import { LedgerLineage } from '../../components/LedgerLineage';
import { Link } from '../../router';

// "credit@3" → the dataset page, showing that version.
export function datasetRef(lineage: Record<string, unknown>): { name: string; version: string } | undefined {
  const ref = lineage.dataset;
  if (typeof ref !== 'string' || !ref) return undefined;
  const at = ref.lastIndexOf('@');
  return at < 0 ? { name: ref, version: 'latest' } : { name: ref.slice(0, at), version: ref.slice(at + 1) };
}

export function Lineage({ detail }: { detail: ModelVersionDetail }) {
  const lineage = detail.lineage ?? {};
  const dataset = datasetRef(lineage);
  const libraries = (lineage.libraries ?? {}) as Record<string, string>;
  return (
    <section className="panel" aria-labelledby="lineage-heading">
      <h2 id="lineage-heading">Lineage</h2>
      <dl className="facts">
        <dt>Dataset</dt>
        <dd>
          {dataset ? (
            <Link to={`/datasets/${encodeURIComponent(dataset.name)}?version=${encodeURIComponent(dataset.version)}`}>
              {String(lineage.dataset)}
            </Link>
          ) : (
            '—'
          )}
        </dd>
        {typeof lineage.dataset_hash === 'string' && (
          <>
            <dt>Dataset hash</dt>
            <dd className="mono">{lineage.dataset_hash}</dd>
          </>
        )}
        {typeof lineage.transform_sql_hash === 'string' && (
          <>
            <dt>Transform SQL hash</dt>
            <dd className="mono">{lineage.transform_sql_hash}</dd>
          </>
        )}
        {lineage.seed !== undefined && (
          <>
            <dt>Seed</dt>
            <dd>{String(lineage.seed)}</dd>
          </>
        )}
        {Object.keys(libraries).length > 0 && (
          <>
            <dt>Libraries</dt>
            <dd>
              {Object.entries(libraries)
                .map(([name, version]) => `${name} ${version}`)
                .join(', ')}
            </dd>
          </>
        )}
        {Object.entries(lineage)
          .filter(([key]) => !['dataset', 'dataset_hash', 'transform_sql_hash', 'seed', 'libraries'].includes(key))
          .map(([key, value]) => (
            <Fact key={key} name={key} value={value} />
          ))}
      </dl>
      <h3>Ledger</h3>
      <LedgerLineage url={`/api/v1/models/${encodeURIComponent(detail.model)}/versions/${detail.version}/lineage`} />
    </section>
  );
}

function Fact({ name, value }: { name: string; value: unknown }) {
  return (
    <>
      <dt>{name}</dt>
      <dd className="mono">{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
    </>
  );
}

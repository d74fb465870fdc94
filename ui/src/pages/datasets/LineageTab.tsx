// Where a version came from: its own lineage (parent, SQL, appended rows) and the signed
// ledger entries behind it, verified in the browser.
import type { VersionDetail } from '../../api/types';
import { LedgerLineage } from '../../components/LedgerLineage';
import { number } from '../../format';
import { Link } from '../../router';

// "credit@2" -> a link to that version's page.
function RefLink({ text }: { text: string }) {
  const at = text.lastIndexOf('@');
  const name = at > 0 ? text.slice(0, at) : text;
  const version = at > 0 ? text.slice(at + 1) : '';
  const to = `/datasets/${encodeURIComponent(name)}${/^\d+$/.test(version) ? `?version=${version}` : ''}`;
  return <Link to={to}>{text}</Link>;
}

export function LineageTab({ name, version }: { name: string; version: VersionDetail }) {
  const lineage = version.lineage as Record<string, unknown> | null;
  const parent = typeof lineage?.parent === 'string' ? lineage.parent : undefined;
  return (
    <>
      <section className="panel" aria-labelledby="lineage-own">
        <h2 id="lineage-own" className="panel-title">
          Made from
        </h2>
        {!lineage && <p>An import: version {version.version} has no parent dataset.</p>}
        {lineage && (
          <dl className="facts">
            {parent && (
              <>
                <dt>Parent version</dt>
                <dd>
                  <RefLink text={parent} />
                </dd>
              </>
            )}
            {typeof lineage.parent_hash === 'string' && (
              <>
                <dt>Parent hash</dt>
                <dd className="mono">{lineage.parent_hash}</dd>
              </>
            )}
            {lineage.appended_rows !== undefined && (
              <>
                <dt>Appended rows</dt>
                <dd>{number(lineage.appended_rows)}</dd>
              </>
            )}
            {typeof lineage.sql_hash === 'string' && (
              <>
                <dt>SQL hash</dt>
                <dd className="mono">{lineage.sql_hash}</dd>
              </>
            )}
          </dl>
        )}
        {typeof lineage?.sql === 'string' && (
          <>
            <h3>SQL</h3>
            <pre className="sql">{lineage.sql}</pre>
          </>
        )}
      </section>
      <section className="panel" aria-labelledby="lineage-ledger">
        <h2 id="lineage-ledger" className="panel-title">
          Ledger
        </h2>
        <LedgerLineage url={`/api/v1/datasets/${encodeURIComponent(name)}/versions/${version.version}/lineage`} />
      </section>
    </>
  );
}

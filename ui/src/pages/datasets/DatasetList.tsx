// /datasets: every dataset with its newest version's size, and the upload form.
import { getJson } from '../../api/client';
import type { DatasetListItem } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { bytes, number, when } from '../../format';
import { usePoll } from '../../hooks/usePoll';
import { Link } from '../../router';
import { UploadForm } from './UploadForm';

export function DatasetList() {
  const list = usePoll(() => getJson<{ datasets: DatasetListItem[] }>('/api/v1/datasets'), []);
  const datasets = list.data?.datasets;
  return (
    <>
      <h1>Datasets</h1>
      <section className="panel" aria-labelledby="datasets-list">
        <h2 id="datasets-list" className="panel-title">
          All datasets
        </h2>
        <ErrorNote error={list.error && `The datasets could not be loaded: ${list.error}`} />
        {list.loading && !datasets && <p className="loading">Loading…</p>}
        {datasets && datasets.length === 0 && <p className="muted">No datasets yet: upload a file below.</p>}
        {datasets && datasets.length > 0 && (
          <div className="table-wrap">
            <table className="grid">
              <thead>
                <tr>
                  <th>Name</th>
                  <th className="num">Versions</th>
                  <th className="num">Rows</th>
                  <th className="num">Columns</th>
                  <th className="num">Size</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {datasets.map((d) => (
                  <tr key={d.name}>
                    <td>
                      <Link to={`/datasets/${encodeURIComponent(d.name)}`}>{d.name}</Link>
                    </td>
                    <td className="num">{d.version_count}</td>
                    <td className="num">{number(d.latest?.row_count)}</td>
                    <td className="num">{number(d.latest?.column_count)}</td>
                    <td className="num">{d.latest ? bytes(d.latest.size_bytes) : '—'}</td>
                    <td className="when">{when(d.latest?.created_at ?? d.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <UploadForm />
    </>
  );
}

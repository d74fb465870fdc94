// How well each model version does on the answers sent back as feedback:
// GET .../quality every 5 s, a table now and accuracy over the time the page has been open.
import { useEffect, useMemo, useState } from 'react';
import { getJson, path } from '../../api/client';
import { Chart } from '../../components/Chart';
import { ErrorNote } from '../../components/ErrorNote';
import { usePoll } from '../../hooks/usePoll';
import { number } from '../../format';
import { kWindowSeconds } from './stats';

interface VersionQuality {
  model: string;
  shadow: boolean;
  predictions: number;
  with_feedback: number;
  accuracy?: number | null;
  rmse?: number | null;
  mae?: number | null;
}

interface Quality {
  endpoint: string;
  versions: VersionQuality[];
}

const key = (v: VersionQuality) => (v.shadow ? `${v.model} (shadow)` : v.model);

export function LiveQuality({ name }: { name: string }) {
  const quality = usePoll(() => getJson<Quality>(path`/api/v1/endpoints/${name}/quality`), [name], 5000);
  const [history, setHistory] = useState<{ t: number; accuracy: Record<string, number> }[]>([]);

  useEffect(() => {
    if (!quality.data) return;
    const accuracy: Record<string, number> = {};
    for (const v of quality.data.versions) {
      if (v.with_feedback > 0 && typeof v.accuracy === 'number') accuracy[key(v)] = v.accuracy;
    }
    if (Object.keys(accuracy).length === 0) return;
    const t = Date.now() / 1000;
    setHistory((old) => [...old.filter((p) => p.t > t - kWindowSeconds), { t, accuracy }]);
  }, [quality.data]);

  const versions = quality.data?.versions ?? [];
  const regression = versions.some((v) => v.rmse !== undefined || v.mae !== undefined);
  const series = useMemo(() => [...new Set(history.flatMap((p) => Object.keys(p.accuracy)))].sort(), [history]);

  return (
    <section className="panel" aria-labelledby="quality-heading">
      <h2 id="quality-heading" className="ep-first-heading">Live quality</h2>
      <ErrorNote error={quality.error} />
      {quality.data && versions.length === 0 && <p className="muted">No predictions logged yet.</p>}
      {versions.length > 0 && (
        <div className="table-wrap">
          <table className="grid" aria-label="Live quality">
            <thead>
              <tr>
                <th>Version</th>
                <th>Predictions</th>
                <th>With feedback</th>
                {regression ? (
                  <>
                    <th>RMSE</th>
                    <th>MAE</th>
                  </>
                ) : (
                  <th>Accuracy</th>
                )}
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={key(v)}>
                  <td>{key(v)}</td>
                  <td>{number(v.predictions)}</td>
                  <td>{number(v.with_feedback)}</td>
                  {regression ? (
                    <>
                      <td>{number(v.rmse)}</td>
                      <td>{number(v.mae)}</td>
                    </>
                  ) : (
                    <td>{v.with_feedback > 0 ? number(v.accuracy) : '—'}</td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {series.length > 0 && (
        <div className="ep-quality-chart">
          <Chart
            title="Live accuracy"
            data={[history.map((p) => p.t), ...series.map((s) => history.map((p) => p.accuracy[s] ?? null))]}
            series={series.map((s) => ({ label: s }))}
            time
            yLabel="accuracy"
            height={200}
          />
        </div>
      )}
    </section>
  );
}

// Requests per second and latency percentiles of an endpoint, live: GET .../stats every 2 s,
// compared with the poll before, over the last five minutes the page has been open.
import { useEffect, useMemo, useRef, useState } from 'react';
import { getJson, path } from '../../api/client';
import { Chart } from '../../components/Chart';
import { ErrorNote } from '../../components/ErrorNote';
import { usePoll } from '../../hooks/usePoll';
import { number } from '../../format';
import { difference, kWindowSeconds, type EndpointStats, type LivePoint } from './stats';

export function LiveTraffic({ name }: { name: string }) {
  const stats = usePoll(() => getJson<EndpointStats>(path`/api/v1/endpoints/${name}/stats`), [name], 2000);
  const previous = useRef<EndpointStats | null>(null);
  const [points, setPoints] = useState<LivePoint[]>([]);

  useEffect(() => {
    const now = stats.data;
    if (!now) return;
    const before = previous.current;
    previous.current = now;
    if (!before || before.at === now.at) return;
    const point = difference(before, now);
    if (!point) return;
    setPoints((old) => [...old.filter((p) => p.t > point.t - kWindowSeconds), point]);
  }, [stats.data]);

  const versions = useMemo(() => {
    const seen = new Set<string>();
    for (const v of stats.data?.versions ?? []) seen.add(v.model);
    for (const p of points) Object.keys(p.rates).forEach((m) => seen.add(m));
    return [...seen].sort();
  }, [stats.data, points]);

  const xs = points.map((p) => p.t);
  const rateData = [xs, ...versions.map((m) => points.map((p) => p.rates[m] ?? 0))];
  const latencyData = [xs, points.map((p) => p.p50), points.map((p) => p.p90), points.map((p) => p.p99)];
  const last = points[points.length - 1];
  const totals = stats.data?.versions ?? [];
  const charted = points.length > 0 && versions.length > 0;

  return (
    <section className="panel" aria-labelledby="traffic-heading">
      <h2 id="traffic-heading" className="ep-first-heading">Live traffic</h2>
      <ErrorNote error={stats.error && `Live numbers are not available: ${stats.error}`} />
      {stats.data && (
        <div className="ep-numbers">
          <div>
            <div className="muted">Errors per second</div>
            <div className="stat" aria-label="Errors per second">{last ? number(last.errorsPerSecond, 3) : '—'}</div>
          </div>
          {totals.map((v) => (
            <div key={v.model}>
              <div className="muted">{v.model} since start</div>
              <div className="stat">
                {number(v.requests)} <small className="muted">requests, {number(v.errors)} errors</small>
              </div>
            </div>
          ))}
        </div>
      )}
      {stats.data && !charted && (
        <p className="muted">
          {versions.length === 0 ? 'No requests yet: the charts start with the first ones.' : 'The charts fill in from the second poll (every 2 s).'}
        </p>
      )}
      {charted && (
        <div className="ep-charts">
          <Chart title="Requests per second" data={rateData} series={versions.map((m) => ({ label: m }))} time yLabel="req/s" height={220} />
          <Chart
            title="Latency (ms)"
            data={latencyData}
            series={[{ label: 'p50' }, { label: 'p90' }, { label: 'p99' }]}
            time
            yLabel="ms"
            height={220}
          />
        </div>
      )}
    </section>
  );
}

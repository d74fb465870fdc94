// System: the server's CPU, memory, disk and workers, from GET /api/v1/system every 2 s;
// CPU % and memory charted over the last five minutes the tab has been open.
import { useEffect, useRef, useState } from 'react';
import { getJson } from '../../api/client';
import { Chart } from '../../components/Chart';
import { ErrorNote } from '../../components/ErrorNote';
import { ProgressBar } from '../../components/ProgressBar';
import { usePoll } from '../../hooks/usePoll';
import { bytes, number, seconds } from '../../format';

interface System {
  at: string;
  host: { cores: number; load_average: number[]; memory_total_bytes: number; memory_available_bytes: number };
  process: { cpu_seconds: number; resident_bytes: number; threads: number; uptime_seconds: number };
  disk: { path: string; total_bytes: number; free_bytes: number };
  workers: { threads: number; busy: number; queued_jobs: number; running_jobs: number };
}

interface Point {
  t: number;
  cpu: number | null;
  residentMiB: number;
}

const kWindowSeconds = 300;
const kMiB = 1024 * 1024;

export function SystemTab() {
  const system = usePoll(() => getJson<System>('/api/v1/system'), [], 2000);
  const previous = useRef<System | null>(null);
  const [points, setPoints] = useState<Point[]>([]);

  useEffect(() => {
    const now = system.data;
    if (!now) return;
    const before = previous.current;
    previous.current = now;
    const t = Date.parse(now.at) / 1000;
    let cpu: number | null = null;
    if (before) {
      const elapsed = t - Date.parse(before.at) / 1000;
      if (elapsed <= 0) return;
      const used = now.process.cpu_seconds - before.process.cpu_seconds;
      if (used >= 0) cpu = (used / elapsed / Math.max(1, now.host.cores)) * 100;
    }
    const point = {
      t,
      cpu,
      residentMiB: now.process.resident_bytes / kMiB,
    };
    setPoints((old) => [...old.filter((p) => p.t > t - kWindowSeconds), point]);
  }, [system.data]);

  const s = system.data;
  const xs = points.map((p) => p.t);
  return (
    <section className="panel" aria-labelledby="system-heading">
      <h2 id="system-heading" className="admin-heading">
        System
      </h2>
      <ErrorNote error={system.error && `The server's numbers cannot be read: ${system.error}`} />
      {s && (
        <>
          <div className="cards admin-cards">
            <Card title="CPU cores" value={number(s.host.cores)} />
            <Card title="Load average (1, 5, 15 min)" value={s.host.load_average.map((l) => l.toFixed(2)).join('  ')} />
            <Card title="Server resident memory" value={bytes(s.process.resident_bytes)} detail={`${number(s.process.threads)} threads, up ${seconds(s.process.uptime_seconds)}`} />
            <Card
              title="Host memory used"
              value={`${bytes(s.host.memory_total_bytes - s.host.memory_available_bytes)} of ${bytes(s.host.memory_total_bytes)}`}
            />
            <div className="panel admin-card">
              <div className="muted">Disk of the data directory</div>
              <div className="stat">
                {bytes(s.disk.total_bytes - s.disk.free_bytes)} used, {bytes(s.disk.free_bytes)} free
              </div>
              <ProgressBar value={s.disk.total_bytes > 0 ? ((s.disk.total_bytes - s.disk.free_bytes) / s.disk.total_bytes) * 100 : 0} label="Disk used" />
              <div className="muted mono admin-path">{s.disk.path}</div>
            </div>
            <Card title="Worker threads busy" value={`${number(s.workers.busy)} of ${number(s.workers.threads)}`} />
            <Card title="Jobs queued / running" value={`${number(s.workers.queued_jobs)} / ${number(s.workers.running_jobs)}`} />
          </div>
          <div className="admin-charts">
            <Chart title="CPU %" data={[xs, points.map((p) => p.cpu)]} series={[{ label: 'server CPU %' }]} time yLabel="%" height={220} />
            <Chart
              title="Memory"
              data={[xs, points.map((p) => p.residentMiB)]}
              series={[{ label: 'server resident (MiB)' }]}
              time
              yLabel="MiB"
              height={220}
            />
          </div>
        </>
      )}
    </section>
  );
}

function Card({ title, value, detail }: { title: string; value: string; detail?: string }) {
  return (
    <div className="panel admin-card">
      <div className="muted">{title}</div>
      <div className="stat">{value}</div>
      {detail && <div className="muted">{detail}</div>}
    </div>
  );
}

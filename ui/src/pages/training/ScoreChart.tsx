// "Score over time": each finished trial as a dot (one series per learner) at the moment it
// finished, and the best score so far as a line.
import { useMemo } from 'react';
import type { Trial } from '../../api/types';
import { Chart, type ChartSeries } from '../../components/Chart';
import { better } from './metric';

type TimedTrial = Trial & { elapsed_seconds?: number };

export function ScoreChart({ trials }: { trials: TimedTrial[] }) {
  const { data, series, metric } = useMemo(() => {
    const metric = trials.find((t) => t.metric)?.metric;
    const order = better(metric);
    // When the server does not say when a trial finished, a running sum of trial seconds
    // stands in for it.
    let clock = 0;
    const points = trials.map((t) => {
      clock += t.seconds ?? 0;
      return { at: t.elapsed_seconds ?? clock, learner: t.learner, score: t.score };
    });
    const scored = points.filter((p) => typeof p.score === 'number' && Number.isFinite(p.score));
    scored.sort((a, b) => a.at - b.at);
    const learners = [...new Set(scored.map((p) => p.learner))].sort();
    const xs = scored.map((p) => p.at);
    const columns: (number | null)[][] = learners.map((learner) =>
      scored.map((p) => (p.learner === learner ? (p.score as number) : null)),
    );
    let best: number | undefined;
    const bestLine = scored.map((p) => {
      if (best === undefined || order(p.score as number, best) < 0) best = p.score as number;
      return best;
    });
    const series: ChartSeries[] = [
      ...learners.map((learner) => ({ label: learner, points: true })),
      { label: 'best so far', color: '#0f172a' },
    ];
    return { data: [xs, ...columns, bestLine], series, metric };
  }, [trials]);

  if (data[0].length === 0) {
    return (
      <figure className="chart">
        <figcaption>Score over time</figcaption>
        <p className="muted">The chart fills in as trials finish.</p>
      </figure>
    );
  }
  return <Chart title="Score over time" data={data} series={series} xLabel="seconds since start" yLabel={metric ?? 'score'} />;
}

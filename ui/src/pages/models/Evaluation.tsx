// How well the version did on its out-of-fold predictions: the metrics, feature importance,
// and the confusion matrix and ROC curve (classifiers) or the residuals (regression), from
// the version's evaluation.json and importance.json members.
import { useMemo } from 'react';
import { getJson, path } from '../../api/client';
import type { ModelVersionDetail } from '../../api/types';
import { BarChart } from '../../components/BarChart';
import { Chart, type ChartSeries } from '../../components/Chart';
import { ErrorNote } from '../../components/ErrorNote';
import { number } from '../../format';
import { usePoll } from '../../hooks/usePoll';
import { ConfusionMatrix } from './ConfusionMatrix';

interface Curve {
  fpr: number[];
  tpr: number[];
}

interface EvaluationFile {
  task?: string;
  rows?: number;
  metrics?: Record<string, number | null>;
  confusion_matrix?: { classes: string[]; counts: number[][] };
  roc_curve?: Curve | Record<string, Curve>;
  residuals?: { actual: number[]; predicted: number[] };
}

function member<T>(detail: ModelVersionDetail, name: string): Promise<T | undefined> {
  if (!detail.members.some((m) => m.name === name)) return Promise.resolve(undefined);
  return getJson<T>(path`/api/v1/models/${detail.model}/versions/${detail.version}/members/` + name);
}

export function Evaluation({ detail }: { detail: ModelVersionDetail }) {
  const evaluation = usePoll(() => member<EvaluationFile>(detail, 'evaluation.json'), [detail.model, detail.version]);
  const importance = usePoll(
    () => member<{ feature: string; importance: number }[]>(detail, 'importance.json'),
    [detail.model, detail.version],
  );
  const metrics = Object.entries(detail.metrics).sort(([a], [b]) => a.localeCompare(b));
  const e = evaluation.data;
  return (
    <>
      <section className="panel" aria-labelledby="metrics-heading">
        <h2 id="metrics-heading">Metrics</h2>
        {metrics.length === 0 ? (
          <p className="muted">This version records no metrics.</p>
        ) : (
          <div className="cards metric-cards">
            {metrics.map(([name, value]) => (
              <div key={name}>
                <div className="muted">{name}</div>
                <div className="stat">{number(value)}</div>
              </div>
            ))}
          </div>
        )}
        {e?.rows !== undefined && <p className="muted">Measured on the out-of-fold predictions of {number(e.rows)} rows.</p>}
      </section>
      <section className="panel" aria-label="Feature importance">
        <ErrorNote error={importance.error} />
        {importance.data && importance.data.length > 0 ? (
          <div className="importance">
            <BarChart
              title="Feature importance"
            horizontal
            bars={importance.data.slice(0, 30).map((f) => ({ label: f.feature, value: f.importance }))}
              format={(v) => number(v, 3)}
            />
          </div>
        ) : (
          !importance.loading && <p className="muted">This version has no importance.json.</p>
        )}
      </section>
      <section className="panel" aria-labelledby="evaluation-heading">
        <h2 id="evaluation-heading">Evaluation</h2>
        <ErrorNote error={evaluation.error} />
        {evaluation.loading && !e && <p className="loading">Loading…</p>}
        {!evaluation.loading && !e && <p className="muted">This version has no evaluation.json.</p>}
        {e && (
          <div className="plots">
            {e.confusion_matrix && <ConfusionMatrix classes={e.confusion_matrix.classes} counts={e.confusion_matrix.counts} />}
            {e.roc_curve && <RocCurve curve={e.roc_curve} />}
            {e.residuals && <Residuals actual={e.residuals.actual} predicted={e.residuals.predicted} />}
          </div>
        )}
      </section>
    </>
  );
}

function RocCurve({ curve }: { curve: Curve | Record<string, Curve> }) {
  const { data, series } = useMemo(() => {
    const curves: [string, Curve][] =
      'fpr' in curve && Array.isArray(curve.fpr) ? [['ROC', curve as Curve]] : Object.entries(curve as Record<string, Curve>);
    // uPlot wants one shared, sorted x column: one row per curve point (the others' cells
    // left empty, and lines span the gaps); a curve's points keep their order.
    const rows = curves.flatMap(([, c], k) => c.fpr.map((x, i) => ({ x, k, y: c.tpr[i], i })));
    rows.sort((a, b) => a.x - b.x || a.k - b.k || a.i - b.i);
    const xs = rows.map((r) => r.x);
    const columns = curves.map((_, k) => rows.map((r) => (r.k === k ? r.y : null)));
    const chance = xs.map((x) => x);
    const series: ChartSeries[] = [
      ...curves.map(([name]) => ({ label: curves.length === 1 ? 'ROC' : name })),
      { label: 'chance', color: '#94a3b8' },
    ];
    return { data: [xs, ...columns, chance], series };
  }, [curve]);
  return <Chart title="ROC curve" data={data} series={series} xLabel="false positive rate" yLabel="true positive rate" />;
}

function Residuals({ actual, predicted }: { actual: number[]; predicted: number[] }) {
  const data = useMemo(() => {
    const points = predicted.map((p, i) => [p, actual[i] - p] as const).sort((a, b) => a[0] - b[0]);
    const xs = points.map((p) => p[0]);
    return [xs, points.map((p) => p[1]), xs.map(() => 0)];
  }, [actual, predicted]);
  return (
    <Chart
      title="Residuals (actual − predicted)"
      data={data}
      series={[{ label: 'residual', points: true }, { label: 'zero', color: '#94a3b8' }]}
      xLabel="predicted"
      yLabel="residual"
    />
  );
}

// One section per column: counts, range and moments, and a histogram or the top values.
import { getJson, path } from '../../api/client';
import type { ColumnStats, Statistics } from '../../api/types';
import { BarChart } from '../../components/BarChart';
import { ErrorNote } from '../../components/ErrorNote';
import { number } from '../../format';
import { usePoll } from '../../hooks/usePoll';

function value(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'number') return number(v);
  return String(v);
}

function ColumnSection({ column, rows }: { column: ColumnStats; rows: number }) {
  const facts: [string, string][] = [
    ['Type', column.type],
    ['Nulls', `${number(column.nulls)}${rows > 0 ? ` (${number((column.nulls / rows) * 100, 3)}%)` : ''}`],
    ['Distinct', number(column.distinct)],
  ];
  if (column.min !== undefined) facts.push(['Min', value(column.min)]);
  if (column.max !== undefined) facts.push(['Max', value(column.max)]);
  if (column.mean !== undefined) facts.push(['Mean', value(column.mean)]);
  if (column.stddev !== undefined) facts.push(['Std. dev.', value(column.stddev)]);
  const histogram = column.histogram;
  return (
    <section className="panel column-stats" aria-label={column.name}>
      <h3>{column.name}</h3>
      <dl className="facts">
        {facts.map(([term, text]) => (
          <div key={term} className="fact">
            <dt>{term}</dt>
            <dd>{text}</dd>
          </div>
        ))}
      </dl>
      {histogram && histogram.counts.length > 0 && (
        <BarChart
          title={`Histogram of ${column.name}`}
          height={120}
          bars={histogram.counts.map((count, i) => ({
            label: `${number(histogram.edges[i])} to ${number(histogram.edges[i + 1])}`,
            value: count,
          }))}
          format={(n) => number(n)}
        />
      )}
      {histogram && histogram.counts.length > 0 && (
        <div className="axis muted" aria-hidden="true">
          <span>{number(histogram.edges[0])}</span>
          <span>{number(histogram.edges[histogram.edges.length - 1])}</span>
        </div>
      )}
      {column.top && column.top.length > 0 && (
        <BarChart
          title={`Most frequent values of ${column.name}`}
          horizontal
          bars={column.top.map((t) => ({ label: t.value === null ? '∅' : String(t.value), value: t.count }))}
          format={(n) => number(n)}
        />
      )}
    </section>
  );
}

export function StatisticsTab({ name, version }: { name: string; version: number }) {
  const stats = usePoll(() => getJson<Statistics>(path`/api/v1/datasets/${name}/versions/${version}/stats`), [name, version]);
  if (stats.error) return <ErrorNote error={`The statistics could not be computed: ${stats.error}`} />;
  if (!stats.data) return <p className="loading">Computing statistics…</p>;
  return (
    <>
      <p className="muted">
        {number(stats.data.row_count)} rows, {stats.data.columns.length} columns. Distinct counts of numbers are estimates
        (about 1.6%).
      </p>
      <div className="stats-grid">
        {stats.data.columns.map((column) => (
          <ColumnSection key={column.name} column={column} rows={stats.data!.row_count} />
        ))}
      </div>
    </>
  );
}

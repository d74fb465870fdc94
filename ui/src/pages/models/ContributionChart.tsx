// Per-feature contributions to one prediction as horizontal bars either side of zero:
// pushing the margin up to the right (blue), down to the left (red); largest first.
import { number } from '../../format';

export function ContributionChart({ title, contributions }: { title: string; contributions: Record<string, number> }) {
  const all = Object.entries(contributions).filter(([, v]) => typeof v === 'number');
  const bars = all
    .filter(([, v]) => typeof v === 'number')
    .sort(([, a], [, b]) => Math.abs(b) - Math.abs(a))
    .slice(0, 20);
  const max = Math.max(1e-12, ...bars.map(([, v]) => Math.abs(v)));
  const rowHeight = 22;
  const labelWidth = 150;
  const half = 125; // each side of zero
  const zero = labelWidth + half + 40;
  const width = zero + half + 45;
  const height = bars.length * rowHeight + 4;
  return (
    <figure className="chart">
      <figcaption>
        {title}
        {all.length > bars.length && <span className="muted"> — the {bars.length} largest of {all.length}</span>}
      </figcaption>
      <svg role="img" aria-label={title} width="100%" viewBox={`0 0 ${width} ${height}`} className="contributions">
        <line x1={zero} x2={zero} y1={0} y2={height} stroke="#94a3b8" />
        {bars.map(([name, value], i) => {
          const length = (Math.abs(value) / max) * half;
          const up = value >= 0;
          return (
            <g key={name} transform={`translate(0, ${i * rowHeight})`}>
              <title>{`${name}: ${value}`}</title>
              <text x="0" y="15" fontSize="11" className="bar-label">
                {name.length > 24 ? name.slice(0, 23) + '…' : name}
              </text>
              <rect x={up ? zero : zero - length} y="4" height="14" width={Math.max(0.5, length)} className={up ? 'bar-up' : 'bar-down'} />
              <text x={up ? zero + length + 4 : zero - length - 4} y="15" fontSize="11" textAnchor={up ? 'start' : 'end'}>
                {(up ? '+' : '') + number(value, 3)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

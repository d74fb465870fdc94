// Horizontal or vertical bars as plain SVG: histograms, feature importance, top values.
export function BarChart({
  title,
  bars,
  horizontal = false,
  height = 180,
  format = (v: number) => String(v),
}: {
  title: string;
  bars: { label: string; value: number }[];
  horizontal?: boolean;
  height?: number;
  format?: (value: number) => string;
}) {
  const max = Math.max(1e-12, ...bars.map((b) => Math.abs(b.value)));
  if (horizontal) {
    const rowHeight = 22;
    return (
      <figure className="chart">
        <figcaption>{title}</figcaption>
        <svg role="img" aria-label={title} width="100%" style={{ maxWidth: '40rem' }} viewBox={`0 0 400 ${bars.length * rowHeight + 4}`}>
          {bars.map((bar, i) => (
            <g key={i} transform={`translate(0, ${i * rowHeight})`}>
              <text x="0" y="15" fontSize="11" className="bar-label">
                {bar.label.length > 22 ? bar.label.slice(0, 21) + '…' : bar.label}
              </text>
              <rect x="140" y="4" height="14" width={(Math.abs(bar.value) / max) * 200} className="bar" />
              <text x={146 + (Math.abs(bar.value) / max) * 200} y="15" fontSize="11">
                {format(bar.value)}
              </text>
            </g>
          ))}
        </svg>
      </figure>
    );
  }
  const width = 400;
  const barWidth = width / Math.max(1, bars.length);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg role="img" aria-label={title} width="100%" height={height} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none">
        {bars.map((bar, i) => {
          const h = (Math.abs(bar.value) / max) * (height - 4);
          return (
            <rect key={i} x={i * barWidth + 1} y={height - h} width={Math.max(1, barWidth - 2)} height={h} className="bar">
              <title>{`${bar.label}: ${format(bar.value)}`}</title>
            </rect>
          );
        })}
      </svg>
    </figure>
  );
}

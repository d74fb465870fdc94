// Line and scatter charts drawn with uPlot (canvas: 10,000 points stay smooth).
// `data` is uPlot's column form: [xs, ys1, ys2, ...], one series per y column.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color?: string;
  points?: boolean; // dots only (a scatter), no line
}

const kPalette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

export function Chart({
  title,
  data,
  series,
  xLabel,
  yLabel,
  height = 260,
  time = false,
}: {
  title: string;
  data: (number | null)[][];
  series: ChartSeries[];
  xLabel?: string;
  yLabel?: string;
  height?: number;
  time?: boolean;
}) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = JSON.stringify([series, xLabel, yLabel, time, height]);

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      // One point (or none) would stretch the x axis over years: show a minute around it.
      scales: {
        x: {
          time,
          range: (_u, min, max) =>
            min == null || max == null ? [Date.now() / 1000 - 60, Date.now() / 1000] : min === max ? [min - 30, max + 30] : [min, max],
        },
      },
      axes: [{ label: xLabel }, { label: yLabel }],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? kPalette[i % kPalette.length],
          width: s.points ? 0 : 2,
          points: s.points ? { show: true, size: 5, fill: s.color ?? kPalette[i % kPalette.length] } : { show: false },
          spanGaps: true,
        })),
      ],
    };
    plot.current = new uPlot(options, data as uPlot.AlignedData, element);
    const resize = new ResizeObserver(() => {
      plot.current?.setSize({ width: Math.max(200, element.clientWidth), height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={holder} role="img" aria-label={title} />
    </figure>
  );
}

// A virtualised table: only the rows in view are in the DOM, so 100,000 rows scroll smoothly.
// Rows come from `rowAt` (which may return undefined while a page of rows loads).
import { useState, type UIEvent } from 'react';

const kRowHeight = 26;

export function DataTable({
  columns,
  rowCount,
  rowAt,
  height = 420,
  label,
  onRangeChange,
}: {
  columns: string[];
  rowCount: number;
  rowAt: (index: number) => unknown[] | undefined;
  height?: number;
  label: string;
  onRangeChange?: (first: number, last: number) => void;
}) {
  const [scrollTop, setScrollTop] = useState(0);
  const first = Math.max(0, Math.floor(scrollTop / kRowHeight) - 10);
  const last = Math.min(rowCount, Math.ceil((scrollTop + height) / kRowHeight) + 10);
  const onScroll = (event: UIEvent<HTMLDivElement>) => {
    setScrollTop(event.currentTarget.scrollTop);
    onRangeChange?.(
      Math.floor(event.currentTarget.scrollTop / kRowHeight),
      Math.ceil((event.currentTarget.scrollTop + height) / kRowHeight),
    );
  };
  const template = `4.5rem repeat(${columns.length}, minmax(7rem, 1fr))`;
  const rows = [];
  for (let i = first; i < last; i++) {
    const row = rowAt(i);
    rows.push(
      <div role="row" key={i} className="vt-row" style={{ top: i * kRowHeight, gridTemplateColumns: template }}>
        <span role="rowheader" className="vt-index">{i + 1}</span>
        {columns.map((_, c) => (
          <span role="cell" key={c}>
            {row ? formatCell(row[c]) : '…'}
          </span>
        ))}
      </div>,
    );
  }
  return (
    <div className="vt" role="table" aria-label={label} aria-rowcount={rowCount} tabIndex={0} style={{ height }} onScroll={onScroll}>
      <div role="row" className="vt-head" style={{ gridTemplateColumns: template }}>
        <span role="columnheader">#</span>
        {columns.map((name) => (
          <span role="columnheader" key={name}>{name}</span>
        ))}
      </div>
      <div style={{ height: rowCount * kRowHeight, position: 'relative' }}>{rows}</div>
    </div>
  );
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// The version's rows in a virtualised table, fetched 1,000 at a time as they scroll into
// view. Loaded pages are kept; a page is asked for at most once at a time.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText, getJson, path } from '../../api/client';
import type { Column, Preview } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { ErrorNote } from '../../components/ErrorNote';
import { number } from '../../format';

const kPage = 1000;

export function PreviewTab({ name, version }: { name: string; version: number }) {
  const pages = useRef(new Map<number, unknown[][]>());
  const asking = useRef(new Set<number>());
  const failed = useRef(new Set<number>());
  const [columns, setColumns] = useState<Column[]>();
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string>();
  const [, setLoaded] = useState(0);
  const wanted = useRef<[number, number]>([0, 0]);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const live = useRef(true);
  const totalRef = useRef(0);

  const load = useCallback(
    (page: number) => {
      if (page < 0 || (page > 0 && page * kPage >= totalRef.current)) return;
      if (pages.current.has(page) || asking.current.has(page) || failed.current.has(page)) return;
      asking.current.add(page);
      getJson<Preview>(path`/api/v1/datasets/${name}/versions/${version}/preview` + `?offset=${page * kPage}&limit=${kPage}`)
        .then((answer) => {
          if (!live.current) return;
          pages.current.set(page, answer.rows);
          setColumns((known) => known ?? answer.columns);
          totalRef.current = answer.total_rows;
          setTotal(answer.total_rows);
          setLoaded((n) => n + 1);
        })
        .catch((e) => {
          if (!live.current) return;
          failed.current.add(page);
          setError(`Rows ${number(page * kPage + 1)} to ${number((page + 1) * kPage)} could not be loaded: ${errorText(e)}`);
        })
        .finally(() => asking.current.delete(page));
    },
    [name, version],
  );

  useEffect(() => {
    live.current = true;
    load(0);
    return () => {
      live.current = false;
      clearTimeout(timer.current);
    };
  }, [load]);

  // Scrolling reports every frame; the pages in view are asked for once it settles briefly,
  // so dragging the scrollbar across 100,000 rows does not fetch every page on the way.
  const onRange = (first: number, last: number) => {
    wanted.current = [first, last];
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const [from, to] = wanted.current;
      for (let page = Math.floor(from / kPage); page <= Math.floor(Math.max(from, to - 1) / kPage); page++) load(page);
    }, 120);
  };

  const rowAt = (index: number) => pages.current.get(Math.floor(index / kPage))?.[index % kPage];
  const retry = () => {
    failed.current.clear();
    setError(undefined);
    const [from, to] = wanted.current;
    for (let page = Math.floor(from / kPage); page <= Math.floor(Math.max(from, to - 1) / kPage); page++) load(page);
  };

  let loadedRows = 0;
  pages.current.forEach((rows) => (loadedRows += rows.length));

  return (
    <>
      {error && (
        <div className="row">
          <ErrorNote error={error} />
          <button type="button" className="secondary" onClick={retry}>
            Try again
          </button>
        </div>
      )}
      {!columns && !error && <p className="loading">Loading rows…</p>}
      {columns && (
        <>
          <p className="muted">
            {number(total)} rows; {number(loadedRows)} loaded{loadedRows < total ? ', the rest load as you scroll' : ''}.
          </p>
          <DataTable
            label={`Rows of ${name}@${version}`}
            columns={columns.map((c) => c.name)}
            rowCount={total}
            rowAt={rowAt}
            height={440}
            onRangeChange={onRange}
          />
        </>
      )}
    </>
  );
}

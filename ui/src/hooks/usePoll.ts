// Loads data and reloads it every `intervalMs` (none when 0) while the tab is visible.
// One request at a time: a slow server is never asked again before it answered.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../api/client';

export interface Polled<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

export function usePoll<T>(load: () => Promise<T>, deps: unknown[], intervalMs = 0): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const inFlight = useRef(false);
  const generation = useRef(0);

  const run = useCallback(() => {
    if (inFlight.current) return;
    inFlight.current = true;
    const mine = generation.current;
    loadRef
      .current()
      .then((value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
      })
      .catch((e) => {
        if (mine === generation.current) setError(errorText(e));
      })
      .finally(() => {
        inFlight.current = false;
        if (mine === generation.current) setLoading(false);
      });
  }, []);

  useEffect(() => {
    generation.current++;
    inFlight.current = false;
    setLoading(true);
    setData(undefined);
    run();
    if (!intervalMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') run();
    }, intervalMs);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, intervalMs]);

  return { data, error, loading, reload: run };
}

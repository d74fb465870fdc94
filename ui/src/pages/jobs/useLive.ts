// Loads data with usePoll and keeps polling every `ms` only while `live(data)` says that
// something is still going; the last answer stays on screen while the polling rate changes.
import { useEffect, useRef, useState } from 'react';
import { usePoll, type Polled } from '../../hooks/usePoll';

export function useLive<T>(load: () => Promise<T>, deps: unknown[], live: (data: T) => boolean, ms: number): Polled<T> {
  const [polling, setPolling] = useState(false);
  const polled = usePoll(load, deps, polling ? ms : 0);
  const key = JSON.stringify(deps);
  const last = useRef<{ key: string; data: T }>();
  if (polled.data !== undefined) last.current = { key, data: polled.data };
  const data = polled.data ?? (last.current?.key === key ? last.current.data : undefined);
  const wanted = data !== undefined && live(data);
  useEffect(() => setPolling(wanted), [wanted]);
  return { ...polled, data };
}

// Follows a job: asks for it every second until it has finished, then stops.
import { useEffect, useState } from 'react';
import { ApiError, errorText, getJson, path } from '../../api/client';
import type { Job } from '../../api/types';

export function finished(job: Job | undefined): boolean {
  return job?.state === 'succeeded' || job?.state === 'failed' || job?.state === 'cancelled';
}

export function useJob(first: Job | undefined): { job: Job | undefined; error: string | undefined } {
  const [job, setJob] = useState<Job | undefined>(first);
  const [error, setError] = useState<string>();

  useEffect(() => {
    setJob(first);
    setError(undefined);
    if (!first || finished(first)) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const ask = () => {
      getJson<Job>(path`/api/v1/jobs/${first.id}`)
        .then((next) => {
          if (!live) return;
          setJob(next);
          setError(undefined);
          if (!finished(next)) timer = setTimeout(ask, 1000);
        })
        .catch((e) => {
          if (!live) return;
          setError(errorText(e));
          // A refused or unknown job stays so; a server that did not answer may come back.
          if (!(e instanceof ApiError) || e.status === 0 || e.status >= 500) timer = setTimeout(ask, 3000);
        });
    };
    timer = setTimeout(ask, 1000);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [first]);

  return { job, error };
}

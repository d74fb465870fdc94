// How long a job or a step took, or has been going so far.
export function elapsed(started: string | null | undefined, finished: string | null | undefined): number | null {
  if (!started) return null;
  const end = finished ? Date.parse(finished) : Date.now();
  return Math.max(0, (end - Date.parse(started)) / 1000);
}

export function isActive(state: string): boolean {
  return state === 'queued' || state === 'running';
}

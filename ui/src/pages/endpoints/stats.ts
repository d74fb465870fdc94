// Live serving numbers from the cumulative counters of GET /api/v1/endpoints/{name}/stats:
// each poll is compared with the one before to get rates and latency percentiles.

export interface LatencyHistogram {
  bounds: number[];
  cumulative_counts: number[]; // one per bound, then +Inf
  count: number;
  sum: number;
}

export interface VersionStats {
  model: string;
  requests: number;
  errors: number;
  latency_seconds: LatencyHistogram;
}

export interface EndpointStats {
  endpoint: string;
  at: string;
  versions: VersionStats[];
}

// One point of the live charts: what happened between two polls.
export interface LivePoint {
  t: number; // seconds since the epoch
  rates: Record<string, number>; // requests per second by model version
  errorsPerSecond: number;
  p50: number | null; // milliseconds
  p90: number | null;
  p99: number | null;
}

export const kWindowSeconds = 300;

// The q-quantile of the requests counted in `counts` (cumulative per bucket), in seconds,
// linear within the bucket it falls in; null when nothing was counted.
export function quantile(bounds: number[], counts: number[], q: number): number | null {
  const total = counts[counts.length - 1] ?? 0;
  if (total <= 0) return null;
  const target = q * total;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] >= target) {
      if (i >= bounds.length) return bounds[bounds.length - 1] ?? null; // the +Inf bucket
      const lower = i === 0 ? 0 : bounds[i - 1];
      const below = i === 0 ? 0 : counts[i - 1];
      const inBucket = counts[i] - below;
      const fraction = inBucket > 0 ? (target - below) / inBucket : 1;
      return lower + (bounds[i] - lower) * fraction;
    }
  }
  return bounds[bounds.length - 1] ?? null;
}

// The point between two polls, or null when they cannot be compared (the first poll, a
// server restart that reset the counters).
export function difference(before: EndpointStats, after: EndpointStats): LivePoint | null {
  const t0 = Date.parse(before.at) / 1000;
  const t1 = Date.parse(after.at) / 1000;
  const elapsed = t1 - t0;
  if (!(elapsed > 0)) return null;
  const rates: Record<string, number> = {};
  let errors = 0;
  let bounds: number[] | null = null;
  let summed: number[] | null = null;
  for (const now of after.versions) {
    const then = before.versions.find((v) => v.model === now.model);
    const requests = now.requests - (then?.requests ?? 0);
    if (requests < 0) return null;
    rates[now.model] = requests / elapsed;
    errors += Math.max(0, now.errors - (then?.errors ?? 0));
    const h = now.latency_seconds;
    const counts = h.cumulative_counts.map((c, i) => c - (then?.latency_seconds.cumulative_counts[i] ?? 0));
    if (!bounds) {
      bounds = h.bounds;
      summed = counts;
    } else if (summed && sameBounds(bounds, h.bounds)) {
      summed = summed.map((c, i) => c + (counts[i] ?? 0));
    }
  }
  const ms = (q: number) => {
    if (!bounds || !summed) return null;
    const s = quantile(bounds, summed, q);
    return s === null ? null : s * 1000;
  };
  return { t: t1, rates, errorsPerSecond: errors / elapsed, p50: ms(0.5), p90: ms(0.9), p99: ms(0.99) };
}

function sameBounds(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

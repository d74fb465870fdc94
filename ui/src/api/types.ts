// The shapes of the REST API's answers that the console reads (docs/api.md).

export interface Job {
  id: number;
  kind: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  progress: number;
  message: string;
  params: Record<string, unknown>;
  result: any;
  error: string | null;
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface Column {
  name: string;
  type: string;
}

export interface VersionSummary {
  dataset: string;
  version: number;
  ref: string;
  hash: string;
  row_count: number;
  column_count: number;
  size_bytes: number;
  created_at: string;
  job_id: number | null;
  source: Record<string, unknown> | null;
  lineage: Record<string, unknown> | null;
}

export interface VersionDetail extends VersionSummary {
  schema: Column[];
}

export interface DatasetListItem {
  name: string;
  created_at: string;
  version_count: number;
  latest: VersionSummary;
}

export interface Dataset {
  name: string;
  created_at: string;
  versions: VersionSummary[];
  latest: VersionDetail;
}

export interface Preview {
  columns: Column[];
  rows: unknown[][];
  offset: number;
  limit: number;
  total_rows: number;
}

export interface ColumnStats {
  name: string;
  type: string;
  nulls: number;
  distinct: number;
  min?: unknown;
  max?: unknown;
  mean?: number;
  stddev?: number;
  histogram?: { edges: number[]; counts: number[] };
  top?: { value: unknown; count: number }[];
}

export interface Statistics {
  row_count: number;
  columns: ColumnStats[];
}

export interface Trial {
  id: number;
  learner: string;
  params: Record<string, unknown>;
  status: string;
  metric: string;
  score?: number;
  fold_scores?: number[];
  seconds: number;
  row_fraction?: number;
  finished_at?: string;
}

export interface Model {
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
  version_count: number;
  latest_version: number;
  tags: Record<string, string>;
  aliases: Record<string, number>;
  project?: string;
}

export interface ModelVersionSummary {
  model: string;
  version: number;
  ref: string;
  task: 'binary' | 'multiclass' | 'regression';
  description: string;
  metrics: Record<string, number>;
  aliases: string[];
  member_count: number;
  size_bytes: number;
  created_at: string;
  job_id: number | null;
  source: Record<string, unknown> | null;
}

export interface ModelVersionDetail extends ModelVersionSummary {
  members: { name: string; size_bytes: number; sha256: string }[];
  leaderboard: Trial[];
  params: Record<string, unknown>;
  lineage: Record<string, unknown>;
  bundle_size_bytes: number;
}

export interface Endpoint {
  name: string;
  model: string;
  canary: { model: string; percent: number } | null;
  shadow: string | null;
  state: string;
  [key: string]: unknown;
}

export interface LedgerEntry {
  index: number;
  at: number;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  sealed?: boolean;
}

export interface Lineage {
  head: { size: number; root: string; timestamp_ms: number; signature: string; public_key: string };
  entries: LedgerEntry[];
}

export interface PipelineStep {
  name: string;
  type: string;
  state: string;
  attempt: number;
  job: number | null;
  cached_from_run: number | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  log: string;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
  seconds: number | null;
}

export interface PipelineRun {
  id: number;
  pipeline: string;
  version: number;
  state: string;
  trigger: string;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  steps?: PipelineStep[];
}

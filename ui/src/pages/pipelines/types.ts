// The shapes of the pipeline routes' answers (docs/api.md, "Pipelines").
import type { PipelineRun } from '../../api/types';

export interface SpecStep {
  name: string;
  type: string;
  needs: string[];
  with?: Record<string, unknown>;
  cache?: boolean;
  retries?: number;
  timeout_seconds?: number;
}

export interface PipelineSpec {
  name: string;
  description?: string;
  concurrency?: string;
  triggers?: Record<string, unknown>[];
  steps: SpecStep[];
}

export interface PipelineSummary {
  name: string;
  project: string;
  version: number;
  webhook: boolean;
  created_at: string;
  updated_at: string;
  last_run: PipelineRun | null;
}

export interface Pipeline extends PipelineSummary {
  yaml: string;
  spec: PipelineSpec;
  shown_version: number;
  applied_by: string;
  applied_at: string;
}

export interface Applied extends Partial<Pipeline> {
  changed?: boolean;
  valid?: boolean;
  webhook_token?: string;
  webhook_url?: string;
}

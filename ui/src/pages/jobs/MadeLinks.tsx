// Links to what a job made: a dataset version, a model version, the training run.
import type { Job } from '../../api/types';
import { Link } from '../../router';

interface Made {
  to: string;
  label: string;
}

// "credit_model@3" -> ["credit_model", 3]
function splitRef(ref: unknown): [string, number] | null {
  if (typeof ref !== 'string') return null;
  const found = /^(.+)@(\d+)$/.exec(ref);
  return found ? [found[1], Number(found[2])] : null;
}

export function madeBy(job: Job): Made[] {
  const made: Made[] = [];
  const result = job.result && typeof job.result === 'object' ? (job.result as Record<string, unknown>) : {};
  if (job.kind === 'model.train') {
    made.push({ to: `/training/${job.id}`, label: `Open training run ${job.id}` });
    const model = typeof result.model === 'string' ? result.model : undefined;
    const version = typeof result.version === 'number' ? result.version : splitRef(result.ref)?.[1];
    if (model && version !== undefined) {
      made.push({ to: `/models/${encodeURIComponent(model)}?version=${version}`, label: `Open model ${model}@${version}` });
    }
    return made;
  }
  if (typeof result.dataset === 'string' && typeof result.version === 'number') {
    made.push({
      to: `/datasets/${encodeURIComponent(result.dataset)}?version=${result.version}`,
      label: `Open dataset ${result.dataset}@${result.version}`,
    });
  }
  const dataset = splitRef(result.dataset);
  if (dataset) {
    made.push({ to: `/datasets/${encodeURIComponent(dataset[0])}?version=${dataset[1]}`, label: `Open dataset ${dataset[0]}@${dataset[1]}` });
  }
  const model = splitRef(result.model);
  if (model) {
    made.push({ to: `/models/${encodeURIComponent(model[0])}?version=${model[1]}`, label: `Open model ${model[0]}@${model[1]}` });
  }
  if (typeof result.endpoint === 'string' && result.endpoint) {
    made.push({ to: `/endpoints/${encodeURIComponent(result.endpoint)}`, label: `Open endpoint ${result.endpoint}` });
  }
  const runId = job.params?.run_id;
  if (job.kind === 'pipeline.step' && typeof runId === 'number') {
    made.push({ to: `/pipelines/runs/${runId}`, label: `Open pipeline run ${runId}` });
  }
  return made;
}

export function MadeLinks({ job }: { job: Job }) {
  const made = madeBy(job);
  if (made.length === 0) return null;
  return (
    <ul className="made-links">
      {made.map((m) => (
        <li key={m.to}>
          <Link to={m.to}>{m.label}</Link>
        </li>
      ))}
    </ul>
  );
}

// The runs of one pipeline, newest first.
import type { PipelineRun } from '../../api/types';
import { Badge } from '../../components/Badge';
import { seconds, when } from '../../format';
import { Link } from '../../router';
import { elapsed } from '../jobs/time';

export function RunsTable({ runs }: { runs: PipelineRun[] }) {
  if (runs.length === 0) return <p className="muted">No runs yet.</p>;
  return (
    <div className="table-wrap">
      <table className="grid" aria-label="Runs">
        <thead>
          <tr>
            <th>Run</th>
            <th>State</th>
            <th>Trigger</th>
            <th>Version</th>
            <th>Created</th>
            <th>Duration</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id}>
              <td className="nowrap">
                <Link to={`/pipelines/runs/${run.id}`}>Run {run.id}</Link>
              </td>
              <td>
                <Badge state={run.state} />
              </td>
              <td>{run.trigger}</td>
              <td>{run.version}</td>
              <td>{when(run.created_at)}</td>
              <td>{seconds(elapsed(run.started_at, run.finished_at))}</td>
              <td>{run.error || ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// The pipelines area: every page under /pipelines.
import { match } from '../../router';
import { PipelineList } from './PipelineList';
import { PipelinePage } from './PipelinePage';
import { RunPage } from './RunPage';
import './pipelines.css';

export default function Area({ path }: { path: string }) {
  const run = match('/pipelines/runs/:id', path);
  if (run) return <RunPage key={run.id} id={run.id} />;
  const one = match('/pipelines/:name', path);
  if (one) return <PipelinePage key={one.name} name={one.name} />;
  if (path === '/pipelines' || path === '/pipelines/') return <PipelineList />;
  return <p>There is no page at {path}. See all pipelines on <a href="/pipelines">the pipelines page</a>.</p>;
}

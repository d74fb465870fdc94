// The jobs area: every page under /jobs.
import { match } from '../../router';
import { JobList } from './JobList';
import { JobPage } from './JobPage';
import './jobs.css';

export default function Area({ path }: { path: string }) {
  const one = match('/jobs/:id', path);
  if (one) return <JobPage key={one.id} id={one.id} />;
  if (path === '/jobs' || path === '/jobs/') return <JobList />;
  return <p>There is no page at {path}. See all jobs on <a href="/jobs">the jobs page</a>.</p>;
}

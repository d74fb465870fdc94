// The training area: the start form with the list of runs, and one run's page.
import { match } from '../../router';
import { RunList } from './RunList';
import { RunPage } from './RunPage';
import { StartForm } from './StartForm';
import './training.css';

export default function Area({ path }: { path: string }) {
  const run = match('/training/:id', path);
  if (run) {
    return (
      <div className="area-training">
        <RunPage id={run.id} />
      </div>
    );
  }
  return (
    <div className="area-training">
      <h1>Training</h1>
      <StartForm />
      <RunList />
    </div>
  );
}

// The datasets area: the list and upload form at /datasets, one dataset at /datasets/<name>.
import { match } from '../../router';
import { DatasetList } from './DatasetList';
import { DatasetPage } from './DatasetPage';
import './datasets.css';

export default function Area({ path }: { path: string }) {
  const one = match('/datasets/:name', path);
  if (one) return <DatasetPage key={one.name} name={one.name} />;
  if (match('/datasets', path)) return <DatasetList />;
  return <p>There is no datasets page at {path}.</p>;
}

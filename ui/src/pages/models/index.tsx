// The models area: the searchable list, and one model's page (?version=V picks a version).
import { match, useLocation } from '../../router';
import { ModelList } from './ModelList';
import { ModelPage } from './ModelPage';
import './models.css';

export default function Area({ path }: { path: string }) {
  const { query } = useLocation();
  const model = match('/models/:name', path);
  const versioned = match('/models/:name/versions/:version', path);
  return (
    <div className="area-models">
      {model ? (
        <ModelPage name={model.name} version={query.get('version') ?? undefined} />
      ) : versioned ? (
        <ModelPage name={versioned.name} version={versioned.version} />
      ) : (
        <ModelList />
      )}
    </div>
  );
}

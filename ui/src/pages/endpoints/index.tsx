// The endpoints area: the list with the deploy form, and one endpoint's page.
import { match } from '../../router';
import { EndpointList } from './EndpointList';
import { EndpointPage } from './EndpointPage';
import './endpoints.css';

export default function Area({ path }: { path: string }) {
  const one = match('/endpoints/:name', path);
  if (one) return <EndpointPage key={one.name} name={one.name} />;
  if (path === '/endpoints' || path === '/endpoints/') return <EndpointList />;
  return <p>There is no page at {path}.</p>;
}

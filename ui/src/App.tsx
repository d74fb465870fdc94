// The console's frame: the navigation, and the page the path picks. Each area is its own
// chunk, loaded when first visited, so the first load stays small.
import { lazy, Suspense, useEffect, useState } from 'react';
import { useAuth } from './auth';
import { Link, navigate, useLocation } from './router';
import SignIn from './pages/SignIn';

const areas = [
  { prefix: '/datasets', label: 'Datasets', page: lazy(() => import('./pages/datasets')) },
  { prefix: '/training', label: 'Training', page: lazy(() => import('./pages/training')) },
  { prefix: '/models', label: 'Models', page: lazy(() => import('./pages/models')) },
  { prefix: '/endpoints', label: 'Endpoints', page: lazy(() => import('./pages/endpoints')) },
  { prefix: '/jobs', label: 'Jobs', page: lazy(() => import('./pages/jobs')) },
  { prefix: '/pipelines', label: 'Pipelines', page: lazy(() => import('./pages/pipelines')) },
  { prefix: '/admin', label: 'Admin', page: lazy(() => import('./pages/admin')) },
];

export default function App() {
  const { me, signOut } = useAuth();
  const { path } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);

  useEffect(() => {
    if (me === null && path !== '/signin') {
      navigate('/signin?next=' + encodeURIComponent(path + location.search), true);
    } else if (me && (path === '/' || path === '/signin')) {
      navigate('/datasets', true);
    }
  }, [me, path]);

  useEffect(() => setMenuOpen(false), [path]);

  if (me === undefined) return <p className="loading">Loading…</p>;
  if (me === null || path === '/signin') return <SignIn />;

  const area = areas.find((a) => path === a.prefix || path.startsWith(a.prefix + '/'));
  const Page = area?.page;
  return (
    <div className="frame">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button className="menu-button" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <Link to="/datasets" className="brand">
          aimass
        </Link>
        <span className="who">
          {me.user}
          {me.is_admin ? ' (admin)' : ''}
        </span>
        <button className="link-button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav id="nav" className={menuOpen ? 'nav open' : 'nav'} aria-label="Main">
        <ul>
          {areas
            .filter((a) => a.prefix !== '/admin' || me.is_admin)
            .map((a) => (
              <li key={a.prefix}>
                <Link to={a.prefix} aria-current={area === a ? 'page' : undefined}>
                  {a.label}
                </Link>
              </li>
            ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <Suspense fallback={<p className="loading">Loading…</p>}>
          {Page ? <Page path={path} /> : <p>There is no page at {path}. Pick one from the menu.</p>}
        </Suspense>
      </main>
    </div>
  );
}

// The admin area (/admin): users, projects, tokens and the server's own health, as tabs.
import { useAuth } from '../../auth';
import { Tabs } from '../../components/Tabs';
import { navigate, useLocation } from '../../router';
import { ProjectsTab } from './ProjectsTab';
import { SystemTab } from './SystemTab';
import { TokensTab } from './TokensTab';
import { UsersTab } from './UsersTab';
import './admin.css';

type Tab = 'users' | 'projects' | 'tokens' | 'system';

const kTabs: { id: Tab; label: string }[] = [
  { id: 'users', label: 'Users' },
  { id: 'projects', label: 'Projects' },
  { id: 'tokens', label: 'Tokens' },
  { id: 'system', label: 'System' },
];

export default function Area({ path }: { path: string }) {
  const { me } = useAuth();
  const { query } = useLocation();
  if (!me?.is_admin) {
    return (
      <>
        <h1>Admin</h1>
        <p>Only administrators can manage users, projects and the server. Ask one to give you access.</p>
      </>
    );
  }
  if (path !== '/admin' && path !== '/admin/') return <p>There is no page at {path}.</p>;
  const asked = query.get('tab');
  const tab: Tab = kTabs.some((t) => t.id === asked) ? (asked as Tab) : 'users';
  return (
    <>
      <h1>Admin</h1>
      <Tabs tabs={kTabs} current={tab} onChange={(next) => navigate(`/admin?tab=${next}`, true)} label="Admin sections" />
      <div role="tabpanel" aria-label={kTabs.find((t) => t.id === tab)?.label}>
        {tab === 'users' && <UsersTab />}
        {tab === 'projects' && <ProjectsTab />}
        {tab === 'tokens' && <TokensTab />}
        {tab === 'system' && <SystemTab />}
      </div>
    </>
  );
}

// The workspace shell: sign-in gate, navigation, and the page for the path.
import { lazy, Suspense, useEffect, useState } from 'react';
import { ApprovalsPage } from './pages/ApprovalsPage';
import { ContactPage } from './pages/ContactPage';
import { ContactsPage } from './pages/ContactsPage';
import { JourneysPage } from './pages/JourneysPage';
import { LoginPage } from './pages/LoginPage';
import { UsersPage } from './pages/UsersPage';
import { ImportPage } from './pages/ImportPage';
import { MailPage } from './pages/MailPage';
import { NewslettersPage } from './pages/NewslettersPage';
import { SegmentsPage } from './pages/SegmentsPage';
import { TasksPage } from './pages/TasksPage';
import { TemplatesPage } from './pages/TemplatesPage';
import { Link, match, useRouter } from './router';
import { useSession } from './session';
import { Empty, Loading } from './ui';

// The graph and the editor (React Flow, dagre, CodeMirror) are most of the code: load them on first use.
const JourneyPage = lazy(() => import('./pages/JourneyPage').then((m) => ({ default: m.JourneyPage })));
const TemplatePage = lazy(() => import('./pages/TemplatePage').then((m) => ({ default: m.TemplatePage })));

const NAV = [
  { to: '/journeys', label: 'Journeys' },
  { to: '/contacts', label: 'Contacts' },
  { to: '/import', label: 'Import' },
  { to: '/segments', label: 'Segments' },
  { to: '/templates', label: 'Templates' },
  { to: '/newsletters', label: 'Newsletters' },
  { to: '/approvals', label: 'Approvals' },
  { to: '/tasks', label: 'Tasks' },
  { to: '/mail', label: 'Sent mail' },
  { to: '/users', label: 'Users', admin: true },
];

function Page({ path }: { path: string }) {
  let m: Record<string, string> | null;
  if (path === '/' || match('/journeys', path)) return <JourneysPage />;
  if ((m = match('/journeys/:key', path))) return <JourneyPage key={m.key} journeyKey={m.key!} />;
  if (match('/contacts', path)) return <ContactsPage key={path.includes('erased') ? 'erased' : 'search'} />;
  if ((m = match('/contacts/:id', path))) return <ContactPage key={m.id} contactId={m.id!} />;
  if (match('/approvals', path)) return <ApprovalsPage />;
  if (match('/import', path)) return <ImportPage />;
  if (match('/segments', path)) return <SegmentsPage />;
  if (match('/templates', path)) return <TemplatesPage />;
  if ((m = match('/templates/:key', path))) return <TemplatePage key={m.key} templateKey={m.key!} />;
  if (match('/newsletters', path)) return <NewslettersPage />;
  if (match('/tasks', path)) return <TasksPage />;
  if (match('/mail', path)) return <MailPage />;
  if (match('/users', path)) return <UsersPage />;
  return (
    <Empty title="No such page">
      <p>
        <Link to="/journeys">Go to the journeys</Link>
      </p>
    </Empty>
  );
}

export function App() {
  const { user, loading, logout } = useSession();
  const { path } = useRouter();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [path]);

  if (loading) return <Loading what="the workspace" />;
  if (!user) return <LoginPage />;
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen((o) => !o)}>
          Menu
        </button>
        <Link to="/journeys" className="brand">
          Rapport
        </Link>
        <div className="who">
          <span>
            {user.email} <span className={`badge badge-role`}>{user.role}</span>
          </span>
          <button type="button" className="btn btn-quiet" onClick={() => void logout()}>
            Sign out
          </button>
        </div>
      </header>
      <nav id="nav" className={menuOpen ? 'nav open' : 'nav'} aria-label="Workspace">
        <ul>
          {NAV.filter((n) => !n.admin || user.role === 'admin').map((n) => (
            <li key={n.to}>
              <Link to={n.to} aria-current={path.startsWith(n.to) || (path === '/' && n.to === '/journeys') ? 'page' : undefined}>
                {n.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading what="the page" />}>
          <Page path={path} />
        </Suspense>
      </main>
    </div>
  );
}

import { useQueryClient } from '@tanstack/react-query';
import { Link, Outlet } from '@tanstack/react-router';
import { api, unwrap } from '../api/client.ts';
import { Login } from './Login.tsx';
import { isAdmin, useMe } from './session.ts';
import { ApiBanner, ErrorMessage } from './status.tsx';

const NAV = [
  { to: '/', label: 'Dashboard', who: 'all' },
  { to: '/alerts', label: 'Alerts', who: 'all' },
  { to: '/alert-configs', label: 'Alert configs', who: 'all' },
  { to: '/upstreams', label: 'Upstreams', who: 'all' },
  { to: '/gather-jobs', label: 'Gather jobs', who: 'all' },
  { to: '/scrape-jobs', label: 'Scrape jobs', who: 'all' },
  { to: '/rules', label: 'Rules', who: 'all' },
  { to: '/notifications', label: 'Notifications', who: 'all' },
  { to: '/agents', label: 'Agents', who: 'all' },
  { to: '/api-keys', label: 'API keys', who: 'admin' },
  { to: '/organizations', label: 'Organizations', who: 'bootstrap' },
] as const;

/** The frame of every page: who is logged in, the navigation, the api banner; login when nobody is. */
export function Shell() {
  const me = useMe();
  const queryClient = useQueryClient();
  if (me.isPending) return <main id="main"><p role="status">Loading…</p></main>;
  if (me.isError && me.data === undefined) return <main id="main"><h1>Planekeeper</h1><ApiBanner /><ErrorMessage error={me.error} /></main>;
  if (!me.data) return <Login />;

  async function logout() {
    await unwrap(api.DELETE('/api/v1/session')).catch(() => undefined);
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
    queryClient.setQueryData(['me'], null);
  }

  const who = me.data;
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <span className="brand">Planekeeper</span>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((item) => item.who === 'all' || (item.who === 'admin' ? isAdmin(who) : who.bootstrap)).map((item) => (
              <li key={item.to}><Link to={item.to} activeOptions={{ exact: item.to === '/' }} activeProps={{ 'aria-current': 'page' }}>{item.label}</Link></li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>{who.organization.name} · {who.keyName} ({who.role})</span>
          <button type="button" onClick={() => void logout()}>Log out</button>
        </div>
      </header>
      <ApiBanner />
      <main id="main">
        <Outlet />
      </main>
    </>
  );
}

import { createRootRoute, createRoute, createRouter, lazyRouteComponent } from '@tanstack/react-router';
import { Shell } from './app/Shell.tsx';
import { pick, text } from './app/filters.tsx';
import { validateAlertSearch } from './screens/alert-search.ts';
import { Alerts } from './screens/Alerts.tsx';
import { Dashboard } from './screens/Dashboard.tsx';

// The dashboard and the alert list (whose rows the dashboard shows) are in the first load; every other screen is a chunk of its own, fetched on the
// first visit (or when a link to it is hovered).
const rootRoute = createRootRoute({ component: Shell });
const q = (search: Record<string, unknown>): { q?: string } => ({ q: text(search.q) });
const screen = <K extends string>(load: () => Promise<Record<K, () => React.ReactNode>>, name: K) => lazyRouteComponent(load, name);

const routes = [
  createRoute({ getParentRoute: () => rootRoute, path: '/', component: Dashboard }),
  createRoute({ getParentRoute: () => rootRoute, path: '/alerts', validateSearch: validateAlertSearch, component: Alerts }),
  createRoute({ getParentRoute: () => rootRoute, path: '/alerts/$id', component: screen(() => import('./screens/AlertDetail.tsx'), 'AlertDetail') }),
  createRoute({ getParentRoute: () => rootRoute, path: '/alert-configs', validateSearch: q, component: screen(() => import('./screens/AlertConfigs.tsx'), 'AlertConfigs') }),
  createRoute({
    getParentRoute: () => rootRoute, path: '/gather-jobs',
    validateSearch: (search: Record<string, unknown>): { q?: string; tab?: 'gather' | 'helm' } => ({ q: text(search.q), tab: pick(search.tab, ['gather', 'helm'] as const) }),
    component: screen(() => import('./screens/GatherJobs.tsx'), 'GatherJobs'),
  }),
  createRoute({ getParentRoute: () => rootRoute, path: '/gather-jobs/$id', component: screen(() => import('./screens/GatherJobDetail.tsx'), 'GatherJobDetail') }),
  createRoute({ getParentRoute: () => rootRoute, path: '/scrape-jobs', validateSearch: q, component: screen(() => import('./screens/ScrapeJobs.tsx'), 'ScrapeJobs') }),
  createRoute({ getParentRoute: () => rootRoute, path: '/scrape-jobs/$id', component: screen(() => import('./screens/ScrapeJobDetail.tsx'), 'ScrapeJobDetail') }),
  createRoute({
    getParentRoute: () => rootRoute, path: '/upstreams',
    validateSearch: (search: Record<string, unknown>): { q?: string; status?: 'on_latest' | 'behind' | 'unknown' | 'past_eol' | 'violating' } => ({ q: text(search.q), status: pick(search.status, ['on_latest', 'behind', 'unknown', 'past_eol', 'violating'] as const) }),
    component: screen(() => import('./screens/Upstreams.tsx'), 'Upstreams'),
  }),
  createRoute({ getParentRoute: () => rootRoute, path: '/upstreams/$gatherJobId', component: screen(() => import('./screens/Upstreams.tsx'), 'UpstreamDetail') }),
  createRoute({ getParentRoute: () => rootRoute, path: '/rules', validateSearch: q, component: screen(() => import('./screens/Rules.tsx'), 'Rules') }),
  createRoute({
    getParentRoute: () => rootRoute, path: '/notifications',
    validateSearch: (search: Record<string, unknown>): { tab?: 'channels' | 'rules' | 'deliveries' | 'failed' | 'dead' } => ({ tab: pick(search.tab, ['channels', 'rules', 'deliveries', 'failed', 'dead'] as const) }),
    component: screen(() => import('./screens/Notifications.tsx'), 'Notifications'),
  }),
  createRoute({ getParentRoute: () => rootRoute, path: '/agents', validateSearch: q, component: screen(() => import('./screens/Agents.tsx'), 'Agents') }),
  createRoute({ getParentRoute: () => rootRoute, path: '/api-keys', validateSearch: q, component: screen(() => import('./screens/ApiKeys.tsx'), 'ApiKeys') }),
  createRoute({ getParentRoute: () => rootRoute, path: '/organizations', component: screen(() => import('./screens/Organizations.tsx'), 'Organizations') }),
];

const routeTree = rootRoute.addChildren(routes);

export const router = createRouter({
  routeTree,
  basepath: '/ui',
  defaultPreload: 'intent',
  scrollRestoration: true,
  defaultNotFoundComponent: () => <><h1>Not found</h1><p>No page here. <a href="/ui/">Go to the dashboard</a>.</p></>,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}

import { createRootRoute, createRoute, createRouter } from '@tanstack/react-router';
import { Shell } from './app/Shell.tsx';
import { AlertDetail } from './screens/AlertDetail.tsx';
import { Alerts, validateAlertSearch } from './screens/Alerts.tsx';
import { Dashboard } from './screens/Dashboard.tsx';

const rootRoute = createRootRoute({ component: Shell });

const dashboardRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: Dashboard });
const alertsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/alerts', validateSearch: validateAlertSearch, component: Alerts });
const alertRoute = createRoute({ getParentRoute: () => rootRoute, path: '/alerts/$id', component: AlertDetail });

const routeTree = rootRoute.addChildren([dashboardRoute, alertsRoute, alertRoute]);

export const router = createRouter({ routeTree, basepath: '/ui', defaultPreload: 'intent', scrollRestoration: true });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}

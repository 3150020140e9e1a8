import type { RouteDefinition } from '../route.ts';

export const alertsRoutes: RouteDefinition[] = [];

import type { RouteDefinition } from '../route.ts';

export const deliveriesRoutes: RouteDefinition[] = [];

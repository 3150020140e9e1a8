import type { RouteDefinition } from '../route.ts';

export const agentsRoutes: RouteDefinition[] = [];

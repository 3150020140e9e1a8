import type { RouteDefinition } from '../route.ts';

export const alertConfigsRoutes: RouteDefinition[] = [];

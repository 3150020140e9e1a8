import type { RouteDefinition } from '../route.ts';

export const organizationsRoutes: RouteDefinition[] = [];

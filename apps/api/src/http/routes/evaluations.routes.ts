import type { RouteDefinition } from '../route.ts';

export const evaluationsRoutes: RouteDefinition[] = [];

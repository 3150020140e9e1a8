import type { RouteDefinition } from '../route.ts';

export const gatherJobsRoutes: RouteDefinition[] = [];

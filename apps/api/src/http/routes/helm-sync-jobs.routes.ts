import type { RouteDefinition } from '../route.ts';

export const helmSyncJobsRoutes: RouteDefinition[] = [];

import type { RouteDefinition } from '../route.ts';

export const scrapeJobsRoutes: RouteDefinition[] = [];

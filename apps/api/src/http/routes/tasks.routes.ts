import type { RouteDefinition } from '../route.ts';

export const tasksRoutes: RouteDefinition[] = [];

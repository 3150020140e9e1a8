import type { RouteDefinition } from '../route.ts';

export const apiKeysRoutes: RouteDefinition[] = [];

import type { RouteDefinition } from '../route.ts';

export const notificationRulesRoutes: RouteDefinition[] = [];

import type { RouteDefinition } from '../route.ts';

export const notificationChannelsRoutes: RouteDefinition[] = [];

import type { RouteDefinition } from '../route.ts';
import { agentRoutes } from '../../agent/agent.routes.ts';
import { metaRoutes } from './meta.routes.ts';
import { ruleRoutes } from './rules.routes.ts';

/** Every route of the api: express, the OpenAPI document and the tenant-isolation tests read this table. */
export const allRoutes: RouteDefinition[] = [];
allRoutes.push(...metaRoutes(() => allRoutes), ...agentRoutes, ...ruleRoutes);

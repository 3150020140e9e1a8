import type { RouteDefinition } from '../route.ts';
import { agentRoutes } from '../../agent/agent.routes.ts';
import { agentEnrollmentRoutes } from '../../agent/enrollment.routes.ts';
import { agentEnrollmentTokensRoutes } from './agent-enrollment-tokens.routes.ts';
import { agentProbesRoutes } from './agent-probes.routes.ts';
import { metaRoutes } from './meta.routes.ts';
import { agentsRoutes } from './agents.routes.ts';
import { alertConfigsRoutes } from './alert-configs.routes.ts';
import { alertsRoutes } from './alerts.routes.ts';
import { apiKeysRoutes } from './api-keys.routes.ts';
import { deliveriesRoutes } from './deliveries.routes.ts';
import { evaluationsRoutes } from './evaluations.routes.ts';
import { gatherJobsRoutes } from './gather-jobs.routes.ts';
import { helmSyncJobsRoutes } from './helm-sync-jobs.routes.ts';
import { notificationChannelsRoutes } from './notification-channels.routes.ts';
import { notificationRulesRoutes } from './notification-rules.routes.ts';
import { organizationsRoutes } from './organizations.routes.ts';
import { rulesRoutes } from './rules.routes.ts';
import { scrapeJobsRoutes } from './scrape-jobs.routes.ts';
import { tasksRoutes } from './tasks.routes.ts';
import { taskRetryRoutes } from './task-retry.routes.ts';
import { upstreamsRoutes } from './upstreams.routes.ts';
import { versionsRoutes } from './versions.routes.ts';
import { sessionRoutes } from './session.routes.ts';

/** Every route of the api: express, the OpenAPI document and the tenant-isolation tests read this table. */
export const allRoutes: RouteDefinition[] = [];
allRoutes.push(
  ...metaRoutes(() => allRoutes),
  ...agentRoutes, ...agentEnrollmentRoutes,
  ...sessionRoutes,
  ...organizationsRoutes, ...apiKeysRoutes, ...agentEnrollmentTokensRoutes, ...agentsRoutes, ...agentProbesRoutes, ...gatherJobsRoutes, ...scrapeJobsRoutes, ...helmSyncJobsRoutes, ...tasksRoutes, ...taskRetryRoutes, ...rulesRoutes, ...alertConfigsRoutes, ...alertsRoutes, ...evaluationsRoutes, ...versionsRoutes, ...notificationChannelsRoutes, ...notificationRulesRoutes, ...deliveriesRoutes, ...upstreamsRoutes,
);

import { forbidden, meResponseSchema, notFound, sessionCreateSchema, summaryResponseSchema } from '@planekeeper/domain';
import { findOrganization } from '../../db/organizations.queries.ts';
import { deleteUiSession } from '../../db/ui-sessions.queries.ts';
import { countOpenAlerts, operationalCounts, unknownEvaluations } from '../../db/summary.queries.ts';
import { openUiSession, resumeUiSession } from '../../services/ui-sessions.ts';
import { checkCookieRequest, clearSessionCookie, setSessionCookie } from '../session-cookie.ts';
import { presentSummary } from '../present/summary.ts';
import { defineRoute, reply, type AuthContext, type RouteDefinition } from '../route.ts';
import type { ApiDeps } from '../../deps.ts';

const tag = 'session';

async function presentMe(deps: ApiDeps, auth: AuthContext, session: boolean) {
  const organization = await findOrganization(deps.db, auth.organizationId);
  if (!organization) throw notFound('organization', auth.organizationId);
  if (auth.role === 'agent') throw forbidden('agent keys reach only the agent API (/api/v1/agent)');
  return { keyId: auth.keyId, keyName: auth.keyName, role: auth.role, bootstrap: auth.bootstrap, organization: { id: organization.id, name: organization.name }, session };
}

/** The web UI's session (login with a pasted key, logout), who the caller is, and the dashboard's figures. */
export const sessionRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post', path: '/api/v1/session', tag, access: 'public',
    summary: 'Log in to the web UI: checks a pasted key (not an agent key) and answers an HttpOnly session cookie; needs the X-Planekeeper-CSRF header and the api\'s Origin',
    body: sessionCreateSchema, response: meResponseSchema,
    handler: async ({ deps, req, res, body }) => {
      checkCookieRequest(req, deps.config.PUBLIC_URL);
      const now = deps.clock();
      const { token, expiresAt } = await openUiSession(deps.db, body.key, now);
      const session = await resumeUiSession(deps.db, token, now);
      setSessionCookie(req, res, token, (expiresAt.getTime() - now.getTime()) / 1000, deps.config.PUBLIC_URL);
      deps.logger.info({ organizationId: session.organizationId, keyId: session.keyId, sessionId: session.sessionId }, 'web session opened');
      return reply(201, await presentMe(deps, session, true));
    },
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/session', tag, access: 'read',
    summary: 'Log out of the web UI: ends the session of the cookie and clears it',
    handler: async ({ deps, auth, res }) => {
      const sessionId = res.locals.sessionId as string | undefined;
      if (sessionId) await deleteUiSession(deps.db, auth.organizationId, sessionId);
      clearSessionCookie(res);
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/me', tag, access: 'read',
    summary: 'The caller: key name, role, organization, bootstrap or not',
    response: meResponseSchema,
    handler: ({ deps, auth, res }) => presentMe(deps, auth, typeof res.locals.sessionId === 'string'),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/summary', tag, access: 'read',
    summary: 'The dashboard: open alerts by severity, unacknowledged, unknown evaluations, failed tasks (24 h), dead deliveries, agents by state, pending tasks no agent can take',
    response: summaryResponseSchema,
    handler: async ({ deps, auth }) => {
      const now = deps.clock();
      const [alerts, unknown, counts] = await Promise.all([
        countOpenAlerts(deps.db, auth.organizationId),
        unknownEvaluations(deps.db, auth.organizationId),
        operationalCounts(deps.db, auth.organizationId, new Date(now.getTime() - 24 * 3600_000), deps.config.AGENT_OFFLINE_AFTER_SECONDS),
      ]);
      return presentSummary(alerts, unknown, counts);
    },
  }),
];

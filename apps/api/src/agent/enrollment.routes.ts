import {
  agentDiagnosticsResponseSchema,
  agentDiagnosticsSchema,
  agentEnrolledResponseSchema,
  agentEnrollSchema,
  idParamsSchema,
  probeResultBodySchema,
  rateLimited,
  type ProbeTarget,
} from '@planekeeper/domain';
import type { ApiDeps } from '../deps.ts';
import { presentedKey } from '../http/auth.ts';
import { RateLimiter } from '../http/rate-limit.ts';
import { defineRoute } from '../http/route.ts';
import { pollDiagnostics, reportProbe } from '../services/agent-probes.ts';
import { enrollAgent } from '../services/enroll-agent.ts';

const tag = 'agent';

// One limiter per api (per deps), made with its first enrollment: the route table is a constant.
const enrollLimiters = new WeakMap<ApiDeps, RateLimiter>();
function enrollLimiter(deps: ApiDeps): RateLimiter {
  let limiter = enrollLimiters.get(deps);
  if (!limiter) enrollLimiters.set(deps, (limiter = new RateLimiter(deps.config.API_ENROLL_RATE_LIMIT_PER_MINUTE)));
  return limiter;
}

export const agentEnrollmentRoutes = [
  defineRoute({
    method: 'post', path: '/api/v1/agent/enroll', tag, access: 'public',
    summary: 'Enroll an agent with an enrollment token (in the body, or as Authorization: Bearer pket_...): registers it and answers an agent key of its own, shown only here',
    body: agentEnrollSchema, response: agentEnrolledResponseSchema,
    errors: {
      401: 'The token is missing or unknown (code unauthorized); nothing is created',
      403: 'The token is revoked, expired or used up (code forbidden); nothing is created',
      409: 'The organization has an agent of that name already (code conflict); the token\'s use is not counted',
      429: 'Too many enrollment attempts from this address (code rate_limited); Retry-After says when to try again',
    },
    handler: async ({ deps, body, req, res }) => {
      // Per client address: the route takes no key to count by, and a token must not be guessable.
      const limited = enrollLimiter(deps).take(req.socket.remoteAddress ?? 'unknown', deps.clock().getTime());
      if (limited) {
        res.setHeader('Retry-After', String(limited.retryAfterSeconds));
        throw rateLimited(limited.retryAfterSeconds);
      }
      const { token: inBody, ...agent } = body;
      try {
        const enrolled = await enrollAgent(deps, inBody ?? presentedKey(req), agent);
        deps.logger.info({ organizationId: enrolled.organizationId, agentId: enrolled.agentId, agent: enrolled.name, keyId: enrolled.keyId, enrollmentTokenId: enrolled.tokenId }, 'agent enrolled');
        return { agentId: enrolled.agentId, name: enrolled.name, key: enrolled.key, capabilities: enrolled.capabilities };
      } catch (error) {
        // Said without the token: its hash would not help an operator, and the token must not be logged.
        deps.logger.warn({ agent: agent.name, address: req.socket.remoteAddress, reason: error instanceof Error ? error.message : String(error) }, 'agent enrollment refused');
        throw error;
      }
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/agent/diagnostics', tag, access: 'agent',
    summary: 'Report the agent\'s effective configuration (every secret redacted) and pick up the probes waiting for it',
    body: agentDiagnosticsSchema, response: agentDiagnosticsResponseSchema, status: 200,
    errors: { 404: 'The agent (agentId) is unknown: send a heartbeat first (code not_found)' },
    handler: async ({ deps, auth, body }) => {
      const probes = await pollDiagnostics(deps, auth.organizationId, body);
      return { probes: probes.map((p) => ({ id: p.id, target: p.target as ProbeTarget })) };
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/agent/probes/:id/result', tag, access: 'agent',
    summary: 'Report what a probe found, or that the agent refused it (409 when it was reported already)',
    params: idParamsSchema, body: probeResultBodySchema, status: 202,
    handler: ({ deps, auth, params, body }) => reportProbe(deps, auth.organizationId, params.id, body),
  }),
];

import { conflict, notFound, type AgentDiagnostics, type OrganizationId, type ProbeCreate, type ProbeResultBody, type ProbeTarget } from '@planekeeper/domain';
import { completeProbe, findProbe, insertProbe, takePendingProbes, upsertDiagnostics } from '../db/agent-probes.queries.ts';
import type { ApiDeps } from '../deps.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the agent is asked to reach: a URL's host and port (tls for https), or a host and port as given. */
export function probeTarget(input: ProbeCreate): ProbeTarget {
  if ('url' in input) {
    const url = new URL(input.url);
    const tls = url.protocol === 'https:';
    // Credentials in a URL are the caller's secret, not part of what is reached.
    url.username = '';
    url.password = '';
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : tls ? 443 : 80, tls, url: url.toString() };
  }
  return { host: input.host.replace(/^\[|\]$/g, ''), port: input.port, tls: false };
}

/** Asks an agent of the organization to probe a target; the agent picks it up with its next diagnostics poll. */
export async function requestProbe(deps: Pick<ApiDeps, 'db'>, organizationId: OrganizationId, agentId: string, input: ProbeCreate) {
  const row = await insertProbe(deps.db, organizationId, agentId, probeTarget(input));
  if (!row) throw notFound('agent', agentId);
  return row;
}

/** A probe of an agent of the organization; an id that is no UUID is a 404 like any unknown id. */
export async function getProbe(deps: Pick<ApiDeps, 'db'>, organizationId: OrganizationId, agentId: string, probeId: string) {
  const row = UUID.test(probeId) ? await findProbe(deps.db, organizationId, agentId, probeId) : undefined;
  if (!row) throw notFound('probe', probeId.slice(0, 100));
  return row;
}

/** Stores the agent's effective configuration and hands it the probes waiting for it. */
export async function pollDiagnostics(deps: Pick<ApiDeps, 'db'>, organizationId: OrganizationId, body: AgentDiagnostics) {
  return deps.db.transaction().execute(async (trx) => {
    if (!(await upsertDiagnostics(trx, organizationId, body.agentId, body.effectiveConfig))) {
      throw notFound('agent', body.agentId, 'send a heartbeat first');
    }
    return takePendingProbes(trx, organizationId, body.agentId);
  });
}

/** Records an agent's report of a probe it was handed. */
export async function reportProbe(deps: Pick<ApiDeps, 'db'>, organizationId: OrganizationId, probeId: string, body: ProbeResultBody): Promise<void> {
  const done = await completeProbe(deps.db, organizationId, body.agentId, probeId, body.report);
  if (done) return;
  if (await findProbe(deps.db, organizationId, body.agentId, probeId)) throw conflict(`probe ${probeId} has been reported already`);
  throw notFound('probe', probeId);
}

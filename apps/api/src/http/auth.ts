import { forbidden, unauthorized } from '@planekeeper/domain';
import type { Database } from '@planekeeper/db';
import type { Logger } from '@planekeeper/runtime';
import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import { hashApiKey } from '@planekeeper/db';
import { findApiKeyByHashAcrossOrganizations, recordApiKeyUse } from '../db/api-keys.queries.ts';
import type { ApiKeyCache } from './api-key-cache.ts';
import type { Access, AuthContext, RouteDefinition } from './route.ts';
import type { ApiDeps } from '../deps.ts';
import { resumeUiSession } from '../services/ui-sessions.ts';
import { checkCookieRequest, presentedSessionToken } from './session-cookie.ts';

/** How often last_used_at is refreshed at most: every request would be a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The key a request carries: `Authorization: Bearer pk_...` or `X-API-Key: pk_...`. */
export function presentedKey(req: Request): string | null {
  const header = req.get('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ?? null;
  }
  return req.get('x-api-key')?.trim() || null;
}

/**
 * Checks a presented key: from `cache` when this process checked it lately (see ApiKeyCache for
 * how revocations reach it at once), else against the database. A revoked key fails at once.
 */
export async function authenticate(db: Kysely<Database>, logger: Logger, key: string | null, now: Date, cache?: ApiKeyCache): Promise<AuthContext> {
  if (!key || !key.startsWith('pk_') || key.length > 256) throw unauthorized('a valid API key is required (Authorization: Bearer pk_...)');
  const hash = hashApiKey(key);
  let known = cache?.get(hash, now.getTime());
  let readMark: number | null = null;
  if (!known) {
    readMark = cache?.readMark() ?? 0;
    const row = await findApiKeyByHashAcrossOrganizations(db, hash);
    if (!row || row.revoked_at) throw unauthorized('the API key is unknown or revoked');
    const auth: AuthContext = Object.freeze({ organizationId: row.organization_id, keyId: row.id, keyName: row.name, role: row.role, bootstrap: row.bootstrap });
    known = { auth, lastUsedAt: row.last_used_at };
  }
  if (!known.lastUsedAt || now.getTime() - known.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    const keyId = known.auth.keyId;
    known.lastUsedAt = now;
    recordApiKeyUse(db, known.auth.organizationId, keyId, now).catch((error: unknown) => logger.warn({ err: error, keyId }, 'could not record key use'));
  }
  if (readMark !== null) cache?.set(hash, known, now.getTime(), readMark);
  return known.auth;
}

/** Whether the caller's role may use a route of the given access level. */
export function authorize(auth: AuthContext, access: Access): void {
  const { role } = auth;
  if (access === 'agent') {
    if (role !== 'agent') throw forbidden('the agent API takes agent keys only');
    return;
  }
  if (role === 'agent') throw forbidden('agent keys reach only the agent API (/api/v1/agent)');
  const allowed =
    access === 'read' ||
    access === 'public' ||
    (access === 'write' && (role === 'admin' || role === 'member')) ||
    (access === 'admin' && role === 'admin') ||
    (access === 'bootstrap' && auth.bootstrap);
  if (!allowed) {
    const need = access === 'bootstrap' ? 'the bootstrap key' : access === 'admin' ? 'an admin key' : 'an admin or member key';
    throw forbidden(`this needs ${need}; the key's role is ${role}`);
  }
}

/**
 * The caller of a request: its key (Bearer or X-API-Key) when it presents one, else the web UI's
 * session cookie — never on the agent API, and for an unsafe method only with the CSRF header and
 * the api's own Origin. The session's id lands in `res.locals.sessionId` (logout ends it).
 */
export async function authenticateCaller(req: Request, res: Response, route: Pick<RouteDefinition, 'access' | 'path'>, deps: ApiDeps): Promise<AuthContext> {
  const key = presentedKey(req);
  const token = key ? null : presentedSessionToken(req);
  if (!token || route.access === 'agent' || route.path.startsWith('/api/v1/agent/')) {
    return authenticate(deps.db, deps.logger, key, deps.clock(), deps.apiKeys);
  }
  checkCookieRequest(req, deps.config.PUBLIC_URL);
  const session = await resumeUiSession(deps.db, token, deps.clock());
  res.locals.sessionId = session.sessionId;
  return Object.freeze({ organizationId: session.organizationId, keyId: session.keyId, keyName: session.keyName, role: session.role, bootstrap: session.bootstrap });
}

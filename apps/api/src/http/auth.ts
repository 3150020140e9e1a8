import { PlanekeeperError } from '@planekeeper/domain';
import type { Database } from '@planekeeper/db';
import type { Logger } from '@planekeeper/runtime';
import type { Request } from 'express';
import type { Kysely } from 'kysely';
import { hashApiKey } from '@planekeeper/db';
import type { Access, AuthContext } from './route.ts';

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

/** Checks a presented key against the database; a revoked key fails at once. */
export async function authenticate(db: Kysely<Database>, logger: Logger, key: string | null, now: Date): Promise<AuthContext> {
  if (!key || !key.startsWith('pk_') || key.length > 256) throw new PlanekeeperError('unauthorized', 'a valid API key is required (Authorization: Bearer pk_...)');
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'organization_id', 'name', 'role', 'bootstrap', 'revoked_at', 'last_used_at'])
    .where('key_hash', '=', hashApiKey(key))
    .executeTakeFirst();
  if (!row || row.revoked_at) throw new PlanekeeperError('unauthorized', 'the API key is unknown or revoked');
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    db.updateTable('api_keys')
      .set({ last_used_at: now })
      .where('id', '=', row.id)
      .execute()
      .catch((error: unknown) => logger.warn({ err: error, keyId: row.id }, 'could not record key use'));
  }
  return { organizationId: row.organization_id, keyId: row.id, keyName: row.name, role: row.role, bootstrap: row.bootstrap };
}

/** Whether the caller's role may use a route of the given access level. */
export function authorize(auth: AuthContext, access: Access): void {
  const { role } = auth;
  if (access === 'agent') {
    if (role !== 'agent') throw new PlanekeeperError('forbidden', 'the agent API takes agent keys only');
    return;
  }
  if (role === 'agent') throw new PlanekeeperError('forbidden', 'agent keys reach only the agent API (/api/v1/agent)');
  const allowed =
    access === 'read' ||
    access === 'public' ||
    (access === 'write' && (role === 'admin' || role === 'member')) ||
    (access === 'admin' && role === 'admin') ||
    (access === 'bootstrap' && auth.bootstrap);
  if (!allowed) {
    const need = access === 'bootstrap' ? 'the bootstrap key' : access === 'admin' ? 'an admin key' : 'an admin or member key';
    throw new PlanekeeperError('forbidden', `this needs ${need}; the key's role is ${role}`);
  }
}

import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '@planekeeper/db';
import { hashApiKey } from '@planekeeper/db';
import { forbidden, unauthorized, type OrganizationId } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { findApiKeyByHashAcrossOrganizations } from '../db/api-keys.queries.ts';
import { deleteUiSession, findUiSessionByHashAcrossOrganizations, insertUiSession, touchUiSession } from '../db/ui-sessions.queries.ts';

/** A session ends after this long without a request (UI.md: 1 h idle). */
export const SESSION_IDLE_MS = 60 * 60_000;
/** ... and this long after login whatever happens (12 h absolute). */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/** last_seen_at moves at most this often: a write per request would be a write per poll. */
const TOUCH_RESOLUTION_MS = 60_000;

/** The caller a session acts as: the key it was opened with. */
export interface SessionCaller {
  sessionId: string;
  organizationId: OrganizationId;
  keyId: string;
  keyName: string;
  role: 'admin' | 'member' | 'viewer' | 'agent';
  bootstrap: boolean;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Opens a session for a pasted key: refused (401) for an unknown or revoked key and (403) for an
 * agent key, which reaches only the agent API. Returns the token for the cookie: it is never stored.
 */
export async function openUiSession(db: Kysely<Database>, key: string, now: Date): Promise<{ token: string; expiresAt: Date }> {
  if (!key.startsWith('pk_') || key.length > 256) throw unauthorized('the API key is unknown or revoked');
  const row = await findApiKeyByHashAcrossOrganizations(db, hashApiKey(key));
  if (!row || row.revoked_at) throw unauthorized('the API key is unknown or revoked');
  if (row.role === 'agent') throw forbidden('agent keys cannot log in to the web UI');
  const token = `pks_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
  await insertUiSession(db, row.organization_id, { apiKeyId: row.id, tokenHash: hashToken(token), now, expiresAt });
  return { token, expiresAt };
}

/**
 * The caller of a session token, or 401 when the token is unknown (forged, logged out), idle too
 * long, past its absolute expiry, or its key was revoked. An expired session is deleted.
 */
export async function resumeUiSession(db: Kysely<Database>, token: string, now: Date): Promise<SessionCaller> {
  if (!/^pks_[A-Za-z0-9_-]{20,100}$/.test(token)) throw unauthorized('the session is unknown or has ended; log in again');
  const row = await findUiSessionByHashAcrossOrganizations(db, hashToken(token));
  if (!row || row.revoked_at) throw unauthorized('the session is unknown or has ended; log in again');
  const at = now.getTime();
  if (at >= row.expires_at.getTime() || at - row.last_seen_at.getTime() >= SESSION_IDLE_MS) {
    await deleteUiSession(db, row.organization_id, row.id);
    throw unauthorized('the session has expired; log in again');
  }
  if (at - row.last_seen_at.getTime() > TOUCH_RESOLUTION_MS) await touchUiSession(db, row.organization_id, row.id, now);
  return { sessionId: row.id, organizationId: row.organization_id, keyId: row.key_id, keyName: row.name, role: row.role, bootstrap: row.bootstrap };
}

import { randomBytes } from 'node:crypto';
import { hashApiKey, type AgentEnrollmentTokenRow, type Database } from '@planekeeper/db';
import { ENROLLMENT_TOKEN_PREFIX, type EnrollmentTokenCreate, type OrganizationId } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { insertEnrollmentToken } from '../db/agent-enrollment-tokens.queries.ts';

/** A token just created, with the token itself: shown in this one answer, stored only as a hash. */
export interface CreatedEnrollmentToken {
  row: AgentEnrollmentTokenRow;
  token: string;
}

/** The part of a token safe to show in lists (`pket_AbC12345`). */
export function enrollmentTokenPrefix(token: string): string {
  return token.slice(0, ENROLLMENT_TOKEN_PREFIX.length + 8);
}

/** Creates an enrollment token of the organization, valid for `expiresInSeconds` from `now`. */
export async function createEnrollmentToken(db: Kysely<Database>, organizationId: OrganizationId, input: EnrollmentTokenCreate, now: Date): Promise<CreatedEnrollmentToken> {
  // 256 bits of randomness: a fast hash is the right tool, as for API keys.
  const token = `${ENROLLMENT_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row = await insertEnrollmentToken(db, organizationId, {
    name: input.name,
    tokenHash: hashApiKey(token),
    tokenPrefix: enrollmentTokenPrefix(token),
    capabilities: input.capabilities ?? null,
    maxUses: input.maxUses,
    expiresAt: new Date(now.getTime() + input.expiresInSeconds * 1000),
  });
  return { row, token };
}

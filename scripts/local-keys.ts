import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bootstrapInstallation, generateApiKey, hashApiKey, type Database } from '@planekeeper/db';
import type { Kysely } from 'kysely';

/** Creates the default organization on an empty installation; its generated admin key is returned once. */
export async function ensureOrganization(db: Kysely<Database>): Promise<{ generatedAdminKey?: string }> {
  const result = await bootstrapInstallation(db, process.env.PLANEKEEPER_BOOTSTRAP_ADMIN_KEY || undefined);
  return result.generatedKey ? { generatedAdminKey: result.generatedKey } : {};
}

/**
 * The local agent's own key (role agent) in the oldest organization: reused from
 * .data/local-agent.key while it is valid, made anew otherwise. The file is readable by its owner only.
 */
export async function ensureLocalAgentKey(db: Kysely<Database>, dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'local-agent.key');
  const saved = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (saved) {
    const row = await db.selectFrom('api_keys').select('id').where('key_hash', '=', hashApiKey(saved)).where('revoked_at', 'is', null).where('role', '=', 'agent').executeTakeFirst();
    if (row) return saved;
  }
  const organization = await db.selectFrom('organizations').select('id').orderBy('created_at').limit(1).executeTakeFirstOrThrow();
  const generated = generateApiKey();
  await db
    .insertInto('api_keys')
    .values({ organization_id: organization.id, name: 'local agent (pnpm start)', role: 'agent', key_hash: generated.hash, key_prefix: generated.prefix })
    .execute();
  await writeFile(file, `${generated.key}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return generated.key;
}

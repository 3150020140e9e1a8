import { createHash, randomBytes } from 'node:crypto';

/** Key material: the key is shown once; only its hash and a display prefix are stored. */
export interface GeneratedApiKey {
  key: string;
  hash: string;
  prefix: string;
}

/** SHA-256 of a key: keys carry 256 bits of randomness, so a fast hash is the right tool. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The part of a key safe to show in lists (`pk_AbC12345`). */
export function keyPrefix(key: string): string {
  return key.slice(0, 11);
}

/** A new random key: `pk_` and 43 url-safe characters. */
export function generateApiKey(): GeneratedApiKey {
  const key = `pk_${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: keyPrefix(key) };
}

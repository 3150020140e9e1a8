import { createHash } from 'node:crypto';
import type { GatherResult } from '@planekeeper/domain';

/** The version of the serialisation below: a new one never matches a digest stored by an old one. */
const SERIALISATION = 'planekeeper releases v1\n';

/** JSON with the keys of every object sorted, so that a jsonb round trip (which reorders keys) keeps it. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 (hex) of a validated gather result's release list: what the api compares with the
 * digest of the list last ingested for the job (`gather_jobs.releases_digest`), and what the
 * taskengine stores after upserting a list. Equal digests mean equal lists in everything the
 * upsert writes (tag, publish date, prerelease flag, URL, digest, cycle, in the order given), so
 * upserting the list again would change nothing. A field missing and a field null are the same
 * to the upsert, and here. Anything that differs in the text (a date written another way) gives
 * another digest: the list is then upserted, which is only slower.
 */
export function releasesDigest(releases: GatherResult['releases']): string {
  const hash = createHash('sha256').update(SERIALISATION);
  // One line per release; JSON.stringify never writes a raw newline, so lines cannot run together.
  for (const r of releases) {
    const cycle = r.cycle == null ? 'null' : canonicalJson(r.cycle);
    hash.update(`${JSON.stringify([r.tag, r.publishedAt, r.prerelease, r.url ?? null, r.digest ?? null])}${cycle}\n`);
  }
  return hash.digest('hex');
}

import type { ExtractedVersion } from '../scrape/parsers/single-value.ts';

/** A request to the sandbox worker. */
export type SandboxRequest =
  | { id: number; kind: 'jq' | 'yq' | 'regex'; text: string; expression: string }
  | { id: number; kind: 'filter'; pattern: string; tags: string[] };

/** The worker's answer to one request. */
export type SandboxReply =
  | { id: number; ok: true; value: ExtractedVersion }
  | { id: number; ok: true; tags: string[] }
  | { id: number; ok: false; message: string };

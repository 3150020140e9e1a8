import type { ExtractedVersion } from '../scrape/parsers/single-value.ts';

/** A request to the sandbox worker. */
export type SandboxRequest = { id: number; kind: 'jq' | 'yq'; text: string; expression: string };

/** The worker's answer to one request. */
export type SandboxReply = { id: number; ok: true; value: ExtractedVersion } | { id: number; ok: false; message: string };

/** What the worker sends once, when jq-wasm is loaded and it can take requests. */
export type SandboxReady = { ready: true };

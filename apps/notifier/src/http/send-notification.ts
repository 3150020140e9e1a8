import { performance } from 'node:perf_hooks';
import got, { type Got } from 'got';
import { assertPublicLiteral, publicOnlyLookup, TargetRefusedError } from './target-address.ts';

/** Most of a receiver's answer kept (for Retry-After bodies and error messages); the rest is dropped. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** One outgoing notification request. */
export interface OutgoingNotification {
  url: string;
  headers: Record<string, string>;
  body: string;
}

type ResponseHeaders = Record<string, string | string[] | undefined>;

/** What came of one request. `error` never contains the target URL (it is a secret). */
export type SendOutcome =
  | { kind: 'response'; statusCode: number; headers: ResponseHeaders; body: string; latencyMs: number }
  | { kind: 'network_error'; error: string; latencyMs: number }
  | { kind: 'refused'; error: string; latencyMs: number };

/** Sends one notification; never throws. */
export type SendNotification = (request: OutgoingNotification) => Promise<SendOutcome>;

/** Options of {@link createNotificationSender}. */
export interface SenderOptions {
  timeoutMs: number;
  /** Allow private, loopback, link-local and other non-public targets (NOTIFIER_ALLOW_PRIVATE_TARGETS). */
  allowPrivateTargets: boolean;
  userAgent: string;
}

/** Removes the target URL (and its path, which holds e.g. a Slack token) from an error message. */
function withoutUrl(message: string, url: string): string {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // an unparsable URL never reached the network; nothing of it to hide beyond the whole string
  }
  let text = message.split(url).join('<url>');
  if (parsed) {
    const secretPart = `${parsed.pathname}${parsed.search}`;
    if (secretPart.length > 1) text = text.split(secretPart).join('/…');
  }
  return text.slice(0, 500);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The notifier's HTTP client (got): POST with a timeout over the whole exchange, no redirects
 * followed (a 3xx is the answer), no automatic retries (the notifier schedules its own), and
 * unless private targets are allowed, only public addresses, checked after DNS resolution on the
 * very addresses the connection then uses.
 */
export function createNotificationSender(options: SenderOptions): SendNotification {
  const client: Got = got.extend({
    method: 'POST',
    followRedirect: false,
    throwHttpErrors: false,
    retry: { limit: 0 },
    timeout: { request: options.timeoutMs },
    responseType: 'text',
    headers: { 'user-agent': options.userAgent },
    ...(options.allowPrivateTargets ? {} : { dnsLookup: publicOnlyLookup }),
  });

  return async (request) => {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    try {
      if (!options.allowPrivateTargets) assertPublicLiteral(new URL(request.url).hostname);
    } catch (error) {
      const message = error instanceof TargetRefusedError ? error.message : `target URL is not valid`;
      return { kind: 'refused', error: message, latencyMs: latency() };
    }
    const abort = new AbortController();
    const pending = client(request.url, { headers: request.headers, body: request.body, signal: abort.signal });
    pending.on('downloadProgress', (progress: { transferred: number }) => {
      if (progress.transferred > MAX_RESPONSE_BYTES) abort.abort(new Error('response body too large'));
    });
    try {
      const response = await pending;
      return { kind: 'response', statusCode: response.statusCode, headers: response.headers, body: response.body, latencyMs: latency() };
    } catch (error) {
      // The status line came but the body did not (too large, cut off): the status is the answer.
      const answered = (error as { response?: { statusCode?: unknown; headers?: ResponseHeaders } } | null)?.response;
      if (typeof answered?.statusCode === 'number') return { kind: 'response', statusCode: answered.statusCode, headers: answered.headers ?? {}, body: '', latencyMs: latency() };
      const message = withoutUrl(error instanceof Error ? error.message : String(error), request.url);
      if (errorCode(error) === 'ERR_TARGET_REFUSED') return { kind: 'refused', error: message, latencyMs: latency() };
      const code = errorCode(error);
      return { kind: 'network_error', error: code && !message.includes(code) ? `${code}: ${message}` : message, latencyMs: latency() };
    }
  };
}

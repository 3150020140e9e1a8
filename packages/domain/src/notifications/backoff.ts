/**
 * Retry maths of the notifier (DESIGN section 6): exponential backoff with jitter, honouring
 * Retry-After, and how an HTTP answer decides the delivery's fate. Pure: randomness and the
 * clock are passed in.
 */

/** First retry delay (NOTIFIER_RETRY_BASE_SECONDS default). */
export const DEFAULT_RETRY_BASE_SECONDS = 30;
/** Retries before the dead-letter queue (NOTIFIER_RETRY_LIMIT default). */
export const DEFAULT_RETRY_LIMIT = 11;
/** Jitter spreads each delay over ±20 % of its nominal value. */
export const RETRY_JITTER_RATIO = 0.2;
/** A receiver's Retry-After is honoured up to this many seconds, so one cannot park a delivery for days. */
export const MAX_RETRY_AFTER_SECONDS = 3600;

/** Options of {@link retryDelaySeconds}. */
export interface RetryDelayOptions {
  /** Delay of the first retry; each later one doubles. Default 30. */
  baseSeconds?: number;
  /** A uniform random number in [0, 1), e.g. `Math.random`. */
  jitter: () => number;
  /** The receiver's Retry-After, if it sent one: the delay is at least this (capped at 1 hour). */
  retryAfterSeconds?: number | null;
  /** Upper bound of the backoff part. Default: none. */
  maxSeconds?: number;
}

/**
 * Seconds to wait before retry number `attempt` (1 = the first retry):
 * `base * 2^(attempt-1)`, times a jitter factor uniform in [0.8, 1.2) so that deliveries that
 * failed together do not retry together while the expected total stays the nominal one
 * (base 30 s and 11 retries: 30 * (2^11 - 1) s ≈ 17.1 h, at least ≈ 13.6 h, at most ≈ 20.5 h).
 * A Retry-After longer than that wins. Whole seconds, at least 1.
 */
export function retryDelaySeconds(attempt: number, options: RetryDelayOptions): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  const base = options.baseSeconds ?? DEFAULT_RETRY_BASE_SECONDS;
  const nominal = Math.min(base * 2 ** (attempt - 1), options.maxSeconds ?? Number.POSITIVE_INFINITY);
  const random = Math.min(Math.max(options.jitter(), 0), 1);
  const backoff = nominal * (1 - RETRY_JITTER_RATIO + 2 * RETRY_JITTER_RATIO * random);
  const retryAfter = Math.min(options.retryAfterSeconds ?? 0, MAX_RETRY_AFTER_SECONDS);
  return Math.max(1, Math.round(Math.max(backoff, retryAfter)));
}

/** The delays of retries 1..`retries`, e.g. to show or test a whole schedule. */
export function retryScheduleSeconds(retries: number, options: RetryDelayOptions): number[] {
  return Array.from({ length: retries }, (_, i) => retryDelaySeconds(i + 1, options));
}

/** Response headers as fetch (`Headers`) or Node/got (`IncomingHttpHeaders`) give them. */
export type ResponseHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

function header(headers: ResponseHeaders, name: string): string | undefined {
  if (typeof headers.get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return typeof value === 'string' ? value : value?.[0];
}

function parseRetryAfterHeader(value: string, now: Date): number | null {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  // HTTP-date, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
  if (!/[A-Za-z]/.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, (at - now.getTime()) / 1000);
}

function parseDiscordRetryAfter(body: unknown): number | null {
  let json = body;
  if (typeof body === 'string') {
    try {
      json = JSON.parse(body);
    } catch {
      return null;
    }
  }
  if (typeof json !== 'object' || json === null || !('retry_after' in json)) return null;
  const value = (json as { retry_after: unknown }).retry_after;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * How long the receiver asked us to wait, in whole seconds (rounded up), or null when it did not
 * say: the `Retry-After` header (delta-seconds or HTTP-date, relative to `now`) and Discord's JSON
 * `retry_after` (seconds, may be fractional); when both are present the longer wins.
 */
export function retryAfterSeconds(response: { headers?: ResponseHeaders; body?: unknown; now: Date }): number | null {
  const raw = response.headers === undefined ? undefined : header(response.headers, 'retry-after');
  const values = [
    raw === undefined ? null : parseRetryAfterHeader(raw, response.now),
    parseDiscordRetryAfter(response.body),
  ].filter((v): v is number => v !== null);
  return values.length === 0 ? null : Math.ceil(Math.max(...values));
}

/**
 * What an attempt means for the delivery: `succeeded`; `retry` later (408, 425, 429, 5xx, a
 * network error or timeout); `permanent` failure (other 4xx, and 3xx since redirects are not
 * followed); `gone` (410: the target was deleted, the channel gets disabled).
 */
export type DeliveryResponseClass = 'succeeded' | 'retry' | 'permanent' | 'gone';

/** Classifies an HTTP status, or `'network_error'` when no response came (DNS, refused, timeout, TLS). */
export function classifyDeliveryResponse(outcome: number | 'network_error'): DeliveryResponseClass {
  if (outcome === 'network_error') return 'retry';
  const status = outcome;
  if (status >= 200 && status < 300) return 'succeeded';
  if (status === 410) return 'gone';
  if (status === 408 || status === 425 || status === 429) return 'retry';
  if (status >= 500 && status < 600) return 'retry';
  if (status >= 300 && status < 500) return 'permanent';
  // 1xx as a final answer, or nonsense: treat as transient.
  return 'retry';
}

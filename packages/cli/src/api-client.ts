import { CliError, EXIT, exitCodeForStatus } from './exit-codes.ts';
import type { Settings } from './config.ts';

/** One problem with one field, as the API names it. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** An error the API answered with its envelope `{ error: { code, message, details } }`. */
export class ApiError extends CliError {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];

  constructor(status: number, code: string, message: string, details: ErrorDetail[]) {
    super(message, exitCodeForStatus(status));
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Query parameters; undefined ones are left out. */
export type Query = Record<string, string | number | undefined>;

/** The largest page the API serves. */
const PAGE_MAX = 500;
const TIMEOUT_MS = 30_000;

export interface ApiClient {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  /** Follows `nextCursor` until `limit` items; `more` tells whether the API had more. */
  list<T>(path: string, query: Query, limit: number): Promise<{ items: T[]; more: boolean }>;
}

function isErrorEnvelope(body: unknown): body is { error: { code: string; message: string; details?: ErrorDetail[] } } {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error === 'object' && error !== null && typeof error.code === 'string' && typeof error.message === 'string';
}

/** Why fetch itself failed, in words: undici hides the reason in `cause`. */
function networkReason(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** A client of the REST API under `settings.baseUrl`, with node's fetch; the key goes in a header only. */
export function createApiClient(settings: Settings, fetchImpl: typeof fetch = fetch): ApiClient {
  async function call<T>(method: string, path: string, query: Query = {}, body?: unknown): Promise<T> {
    const url = new URL(`${settings.baseUrl}/api/v1${path}`);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers: {
          authorization: `Bearer ${settings.apiKey}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        // A redirect means a wrong URL (http to https, a login page): say so rather than send the key on.
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new CliError(`cannot reach ${settings.baseUrl}: ${networkReason(error)}`, EXIT.failed);
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      throw new CliError(`${settings.baseUrl} redirects (${response.status}${location ? ` to ${location.slice(0, 200)}` : ''}): set the server URL to where the API answers`, EXIT.usage);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new CliError(`${settings.baseUrl} answered ${response.status} with something that is not JSON: is it a Planekeeper API?`, EXIT.failed);
    }
    if (!response.ok) {
      if (isErrorEnvelope(parsed)) throw new ApiError(response.status, parsed.error.code, parsed.error.message, parsed.error.details ?? []);
      throw new ApiError(response.status, `http_${response.status}`, `the server answered ${response.status} ${response.statusText}`, []);
    }
    return parsed as T;
  }

  return {
    get: (path, query) => call('GET', path, query),
    post: (path, body) => call('POST', path, {}, body ?? {}),
    async list<T>(path: string, query: Query, limit: number) {
      const items: T[] = [];
      let cursor: string | undefined;
      do {
        const page = await call<{ items: T[]; nextCursor: string | null }>('GET', path, { ...query, limit: Math.min(PAGE_MAX, limit - items.length), cursor });
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && items.length < limit);
      return { items, more: cursor !== undefined };
    },
  };
}

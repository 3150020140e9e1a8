import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

/** What the api answers on failure (DESIGN section 9), with what the UI needs to explain it. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: { path?: string; message?: string }[];
  readonly requestId: string | null;
  readonly retryAfterSeconds: number | null;

  constructor(status: number, body: unknown, headers: Headers | null) {
    const error = (body as { error?: { code?: string; message?: string; details?: { path?: string; message?: string }[] } } | undefined)?.error;
    super(error?.message ?? (status === 0 ? 'the api could not be reached' : `the api answered ${status}`));
    this.status = status;
    this.code = error?.code ?? (status === 0 ? 'network' : status >= 500 ? 'internal' : 'unknown');
    this.details = error?.details ?? [];
    this.requestId = headers?.get('x-request-id') ?? null;
    const retry = Number(headers?.get('retry-after'));
    this.retryAfterSeconds = Number.isFinite(retry) && retry > 0 ? retry : null;
  }
}

// Every unsafe call carries the CSRF header the api asks of cookie sessions; the cookie itself
// is HttpOnly and sent by the browser (same origin): no key or token is ever held by this code.
const csrf: Middleware = {
  onRequest({ request }) {
    if (!['GET', 'HEAD'].includes(request.method)) request.headers.set('X-Planekeeper-CSRF', '1');
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(csrf);

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of an answer, or an ApiError (a network failure is status 0). */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch {
    throw new ApiError(0, undefined, null);
  }
  if (!result.response.ok) throw new ApiError(result.response.status, result.error, result.response.headers);
  return result.data as T;
}

import type { IncomingHttpHeaders } from 'node:http';
import got, { TimeoutError, type Response } from 'got';
import { errorCode, networkFailure, TaskError } from './task-error.ts';

/** An HTTP answer read whole, within a size limit. */
export interface BoundedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

/** Options of {@link fetchBounded}. */
export interface FetchBoundedOptions {
  /** Names the thing fetched in failure messages, e.g. `the Helm repository index`. */
  what: string;
  maxBytes: number;
  headers?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MB`;

/**
 * GETs `url` and reads the (decompressed) body, failing as soon as it grows past `maxBytes`:
 * got alone buffers any size, and a multi-gigabyte answer must not take the agent down.
 * Answers of every status resolve; redirects are followed (credentials are dropped across origins).
 */
export async function fetchBounded(url: string, options: FetchBoundedOptions, firstAttempt = true): Promise<BoundedResponse> {
  let answered = false;
  const stream = got.stream(url, {
    headers: options.headers,
    throwHttpErrors: false,
    retry: { limit: 0 },
    timeout: { request: options.timeoutMs ?? 60_000 },
    signal: options.signal,
  });
  try {
    const response = await new Promise<Response>((resolve, reject) => {
      stream.once('response', (answer: Response) => {
        answered = true;
        resolve(answer);
      });
      stream.once('error', reject);
    });
    const tooLarge = () => new TaskError(`${options.what} is larger than the ${megabytes(options.maxBytes)} limit`, { retryable: false });
    const declared = Number(response.headers['content-length']);
    if (response.headers['content-encoding'] === undefined && declared > options.maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > options.maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
    return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks), url: response.url };
  } catch (error) {
    if (error instanceof TaskError) throw error;
    if (options.signal?.aborted) throw new TaskError('the task was stopped', { retryable: true, cause: error });
    // A kept-alive connection the server closed just as it was reused: the GET never reached it,
    // so it is sent once more on a new connection (as browsers do) instead of failing the task.
    if (firstAttempt && !answered && errorCode(error) === 'ECONNRESET') return fetchBounded(url, options, false);
    if (error instanceof TimeoutError) throw new TaskError(`${options.what} did not answer within ${(options.timeoutMs ?? 60_000) / 1000} s`, { retryable: true, cause: error });
    throw networkFailure(options.what, error);
  } finally {
    stream.destroy();
  }
}

/** Parses a JSON body, failing with a message that names what was read. */
export function parseJsonBody<T>(response: BoundedResponse, what: string): T {
  try {
    return JSON.parse(response.body.toString('utf8')) as T;
  } catch {
    throw new TaskError(`${what} answered with invalid JSON (HTTP ${response.status})`, { retryable: true });
  }
}

/** `Authorization: Basic ...` for a username and password. */
export function basicAuthorization(auth: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

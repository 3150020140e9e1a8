import http from 'node:http';

/** A JSON call to the api with a key; throws on an unexpected status so a broken setup fails loudly. */
export async function callApi<T = unknown>(
  baseUrl: string,
  key: string,
  method: string,
  route: string,
  body?: unknown,
  expected: number[] = [200, 201, 202, 204],
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!expected.includes(response.status)) throw new Error(`${method} ${route} answered ${response.status}: ${text.slice(0, 500)}`);
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Polls `probe` every `everyMs` until it returns true, or throws after `timeoutMs` naming `what`. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * A lean JSON POST over a kept-alive connection (node:http, no fetch machinery): simulated agents
 * share the 2 CPUs with the system under test, so their own cost should be as small as it can be.
 */
export function leanPoster(baseUrl: string, key: string, connections: number): {
  post(path: string, body: unknown): Promise<{ status: number; text: string }>;
  close(): void;
} {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(baseUrl);
  return {
    post: (path, body) =>
      new Promise((resolve, reject) => {
        const payload = JSON.stringify(body);
        const request = http.request(
          { agent, host: target.hostname, port: target.port, path, method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
          (response) => {
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (text += chunk));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
            response.on('error', reject);
          },
        );
        request.on('error', reject);
        request.end(payload);
      }),
    close: () => agent.destroy(),
  };
}

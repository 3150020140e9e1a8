import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/** What `/readyz` reports: ready only when every check passes. */
export type ReadinessCheck = () => Promise<Record<string, boolean>>;

/**
 * How long `/readyz` waits for its checks. A check that hangs (a database that accepts connections
 * and never answers, a pool waiting for a free client) is an answer too: not ready, said in time,
 * well inside a Kubernetes probe's timeout rather than after it.
 */
export const READY_TIMEOUT_MS = 2_000;

/** The checks, or `{ answeredInTime: false }` when they take longer than `timeoutMs`. */
async function checksWithin(ready: ReadinessCheck, timeoutMs: number): Promise<Record<string, boolean>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Record<string, boolean>>((resolve) => {
    timer = setTimeout(() => resolve({ answeredInTime: false }), timeoutMs);
  });
  try {
    return await Promise.race([ready().catch(() => ({ ready: false })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Answers `/healthz` (the process is alive), `/readyz` (its dependencies answer, within
 * READY_TIMEOUT_MS) and `/metrics` (Prometheus; not with `metrics: false`, on a public port whose
 * metrics are served on an ops port of their own). Returns false for any other path so a caller
 * can route it elsewhere.
 */
export async function answerOpsRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: { ready: ReadinessCheck; registry: Registry; readyTimeoutMs?: number; metrics?: boolean },
): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (path === '/healthz') {
    send(res, 200, { status: 'ok' });
    return true;
  }
  if (path === '/readyz') {
    const checks = await checksWithin(options.ready, options.readyTimeoutMs ?? READY_TIMEOUT_MS);
    const ok = Object.values(checks).every(Boolean);
    send(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not_ready', checks });
    return true;
  }
  if (path === '/metrics' && options.metrics !== false) {
    const body = await options.registry.metrics();
    res.writeHead(200, { 'content-type': options.registry.contentType });
    res.end(body);
    return true;
  }
  return false;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A small HTTP server for services whose only HTTP surface is health and metrics. */
export function createOpsServer(options: { ready: ReadinessCheck; registry: Registry; readyTimeoutMs?: number }): Server {
  return createServer((req, res) => {
    answerOpsRequest(req, res, options)
      .then((handled) => {
        if (!handled) send(res, 404, { error: { code: 'not_found', message: 'not found' } });
      })
      .catch(() => send(res, 500, { error: { code: 'internal', message: 'internal error' } }));
  });
}

/** Listens on `port` (0 = any free port) and resolves with the port actually bound. */
export async function listen(server: Server, port: number, host = '0.0.0.0'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

/**
 * Stops accepting connections and waits for the requests in progress, closing each keep-alive
 * connection as soon as it is idle: Node closes only those idle when the close begins, and would
 * keep one busy then (a long poll) open for the whole keep-alive timeout after its answer.
 */
export async function closeServer(server: Server): Promise<void> {
  let sweep: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    sweep = setInterval(() => server.closeIdleConnections(), 50);
  });
  clearInterval(sweep);
}

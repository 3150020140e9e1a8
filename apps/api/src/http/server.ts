import { randomUUID } from 'node:crypto';
import { isPlanekeeperError, issuesToDetails, noSuchRoute, rateLimited, validationFailed } from '@planekeeper/domain';
import { answerOpsRequest, type ReadinessCheck } from '@planekeeper/runtime';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import type { z } from 'zod';
import type { ApiDeps } from '../deps.ts';
import { authenticateCaller, authorize } from './auth.ts';
import { errorHandler, type RequestPart } from './errors.ts';
import { RateLimiter } from './rate-limit.ts';
import { DEFAULT_UI_DIR, serveUi } from './ui-static.ts';
import { defaultStatus, type AuthContext, type Reply, type RouteDefinition } from './route.ts';

function parsePart(part: RequestPart, schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (!result.success) {
    // Body fields are named from the body's root (as in the schemas); query and path fields by part.
    const prefix = part === 'body' ? '' : part;
    throw validationFailed(issuesToDetails(result.error.issues).map((d) => ({ path: [prefix, d.path].filter(Boolean).join('.'), message: d.message })));
  }
  return result.data;
}

/** An express body parser as a function to await (errors as rejections, for the error handler). */
function bodyReader(parser: RequestHandler): (req: Request, res: Response) => Promise<void> {
  return (req, res) => new Promise((resolve, reject) => parser(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
}

function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && (value as Reply).kind === 'reply';
}

/**
 * Writes a JSON answer straight to node's response: what express's `res.json` ends up sending,
 * without its freshness and encoding checks (we send no ETag), on the path every list takes.
 */
function sendJson(req: Request, res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** Builds the express app: ops endpoints, JSON body parsing, every route of the table, errors. */
export function createHttpApp(options: { routes: RouteDefinition[]; deps: ApiDeps; ready: ReadinessCheck }): express.Express {
  const { routes, deps, ready } = options;
  const { logger, registry, config } = deps;
  const limiter = new RateLimiter(config.API_RATE_LIMIT_PER_MINUTE);
  // Requests without a valid key are counted by client address: they have no key to count by.
  const strangers = new RateLimiter(config.API_UNAUTHENTICATED_RATE_LIMIT_PER_MINUTE);
  const refuse = (res: Response, retryAfterSeconds: number): never => {
    res.setHeader('Retry-After', String(retryAfterSeconds));
    throw rateLimited(retryAfterSeconds);
  };
  /** The caller's key, checked; a failure counts against the client's address (429 past its limit). */
  const authenticateRequest = async (req: Request, res: Response, route: RouteDefinition): Promise<AuthContext> => {
    try {
      const auth = await authenticateCaller(req, res, route, deps);
      res.locals.auth = auth;
      return auth;
    } catch (error) {
      const limited = strangers.take(req.socket.remoteAddress ?? 'unknown', deps.clock().getTime());
      if (limited) refuse(res, limited.retryAfterSeconds);
      throw error;
    }
  };
  const requests = new Counter({ name: 'planekeeper_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({ name: 'planekeeper_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30, 60], registers: [registry] });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const given = req.get('x-request-id');
    res.locals.requestId = given && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', res.locals.requestId as string);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      latency.observe({ method: req.method, route }, seconds);
      const failed = res.statusCode >= 500;
      if (!failed && !logger.isLevelEnabled('debug')) return;
      const auth = res.locals.auth as AuthContext | undefined;
      const line = { requestId: res.locals.requestId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000), organizationId: auth?.organizationId, keyId: auth?.keyId };
      if (failed) logger.error(line, 'request failed');
      else logger.debug(line, 'request');
    });
    next();
  });

  // Metrics hold installation-wide counts: they are served on the ops port only (API_OPS_PORT).
  app.use((req, res, next) => {
    answerOpsRequest(req, res, { ready, registry, metrics: false }).then((handled) => (handled ? undefined : next()), next);
  });

  app.use(serveUi(config.UI_DIR ?? DEFAULT_UI_DIR));

  const json = { strict: true, type: ['application/json', 'application/*+json'] };
  const limitOf = (route: RouteDefinition): number =>
    route.bodyLimit === 'agent_results' ? config.API_AGENT_RESULT_LIMIT_BYTES : (route.bodyLimit ?? config.API_BODY_LIMIT_BYTES);

  for (const route of routes) {
    // body-parser counts a compressed body by its inflated size: a small gzip body that inflates
    // past the limit stops there, with 413.
    const readBody = bodyReader(express.json({ ...json, limit: limitOf(route) }));
    app[route.method](route.path, async (req: Request, res: Response) => {
      let auth: AuthContext | undefined;
      // The caller is known, allowed and within its limits before a byte of its body is read.
      if (route.access !== 'public') {
        auth = await authenticateRequest(req, res, route);
        authorize(auth, route.access);
        const limited = limiter.take(auth.keyId, deps.clock().getTime());
        if (limited) refuse(res, limited.retryAfterSeconds);
      }
      // Read even where the route takes no body: one sent is still JSON or refused (400), as documented.
      await readBody(req, res);
      const params = parsePart('params', route.params, req.params);
      const query = parsePart('query', route.query, req.query);
      const body = parsePart('body', route.body, req.body);
      let result: unknown;
      try {
        result = await route.handler({ params, query, body, auth, deps, req, res });
      } catch (error) {
        // A key refused by a public route (the web UI's login) counts against the address too.
        if (!auth && isPlanekeeperError(error) && error.code === 'unauthorized') {
          const limited = strangers.take(req.socket.remoteAddress ?? 'unknown', deps.clock().getTime());
          if (limited) refuse(res, limited.retryAfterSeconds);
        }
        throw error;
      }
      if (res.headersSent) return;
      if (isReply(result)) {
        for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
        if (result.body === undefined) res.status(result.status).end();
        else sendJson(req, res, result.status, result.body);
        return;
      }
      const status = defaultStatus(route);
      if (result === undefined || status === 204) res.status(status).end();
      else sendJson(req, res, status, result);
    });
  }

  app.use((req, _res, next) => {
    next(noSuchRoute(req.method, req.path));
  });
  app.use(errorHandler(logger));
  return app;
}

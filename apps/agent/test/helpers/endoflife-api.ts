import { createHash } from 'node:crypto';
import { startLocalServer, type LocalServer } from './http-server.ts';

// A stand-in for endoflife.date's API v1: GET /api/v1/products/<product> answers the product
// document ({ schema_version, generated_at, last_modified, result: { ..., releases: [...] } })
// with an ETag, and 304 to a matching If-None-Match, as the static site does; or, as a mirror
// behind basic auth, 401 to a request without its credential.

/** A release cycle as API v1 writes it. */
export interface EndoflifeCycle {
  name: string;
  codename: string | null;
  label: string;
  releaseDate: string;
  isLts: boolean;
  ltsFrom: string | null;
  isEoas: boolean;
  eoasFrom: string | null;
  isEol: boolean;
  eolFrom: string | null;
  isEoes?: boolean;
  eoesFrom?: string | null;
  isDiscontinued?: boolean;
  isMaintained: boolean;
  latest: { name: string; date: string; link: string } | null;
  custom: Record<string, unknown> | null;
}

/** A Kubernetes-like product: cycles newest first with their latest patch. */
export function kubernetesCycles(): EndoflifeCycle[] {
  const cycle = (name: string, releaseDate: string, latest: string, latestDate: string, eoasFrom: string, eolFrom: string, isEol: boolean): EndoflifeCycle => ({
    name,
    codename: null,
    label: name,
    releaseDate,
    isLts: false,
    ltsFrom: null,
    isEoas: isEol,
    eoasFrom,
    isEol,
    eolFrom,
    isMaintained: !isEol,
    latest: { name: latest, date: latestDate, link: `https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-${name}.md` },
    custom: null,
  });
  return [
    cycle('1.32', '2024-12-11', '1.32.1', '2025-01-15', '2025-12-28', '2026-02-28', false),
    cycle('1.31', '2024-08-13', '1.31.5', '2025-01-15', '2025-08-28', '2025-10-28', false),
    cycle('1.30', '2024-04-17', '1.30.9', '2025-01-15', '2025-04-28', '2025-06-28', true),
    cycle('1.29', '2023-12-13', '1.29.13', '2025-01-15', '2024-12-28', '2025-02-28', true),
  ];
}

export interface EndoflifeStandIn extends LocalServer {
  products: Map<string, EndoflifeCycle[]>;
  fault: 'server-error' | 'malformed' | 'not-a-product' | undefined;
  requests: { path: string; ifNoneMatch: string | undefined; authorization: string | undefined }[];
  /** Set: a mirror behind basic auth, answering 401 to any other Authorization. */
  basicAuth: { username: string; password: string } | undefined;
}

export async function startEndoflifeApi(): Promise<EndoflifeStandIn> {
  const state = {
    products: new Map<string, EndoflifeCycle[]>(),
    fault: undefined as EndoflifeStandIn['fault'],
    requests: [] as EndoflifeStandIn['requests'],
    basicAuth: undefined as EndoflifeStandIn['basicAuth'],
  };
  const local = await startLocalServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ifNoneMatch = req.headers['if-none-match'];
    state.requests.push({ path: url.pathname, ifNoneMatch, authorization: req.headers.authorization });
    const auth = standIn.basicAuth;
    if (auth !== undefined && req.headers.authorization !== `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`) {
      res.writeHead(401, { 'content-type': 'text/html', 'www-authenticate': 'Basic realm="endoflife mirror"' });
      return void res.end('<html><body>401 Authorization Required</body></html>');
    }
    if (standIn.fault === 'server-error') {
      res.writeHead(503, { 'content-type': 'text/html' });
      return void res.end('<html><body>Service Unavailable</body></html>');
    }
    const match = /^\/api\/v1\/products\/([^/]+)\/?$/.exec(url.pathname);
    const releases = match ? state.products.get(decodeURIComponent(match[1] as string)) : undefined;
    if (!match || releases === undefined) {
      res.writeHead(404, { 'content-type': 'text/html' });
      return void res.end('<!DOCTYPE html><title>Page not found</title>');
    }
    const product = match[1] as string;
    const document =
      standIn.fault === 'not-a-product'
        ? { schema_version: '1.2.0', result: [{ name: product }] }
        : {
            schema_version: '1.2.0',
            generated_at: '2026-01-20T00:00:00+00:00',
            last_modified: '2026-01-19T12:00:00+00:00',
            result: {
              name: product,
              aliases: [],
              label: product,
              category: 'server-app',
              tags: ['server-app'],
              versionCommand: `${product} --version`,
              identifiers: [{ type: 'purl', id: `pkg:github/${product}/${product}` }],
              labels: { eoas: 'Maintenance Support', discontinued: null, eol: 'End of Life', eoes: null },
              links: { icon: null, html: `https://endoflife.date/${product}`, releasePolicy: null },
              releases,
            },
          };
    const body = JSON.stringify(document);
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
    if (ifNoneMatch === etag) {
      res.writeHead(304, { etag });
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', etag, 'cache-control': 'max-age=600' });
    res.end(standIn.fault === 'malformed' ? body.slice(0, 100) : body);
  });
  const standIn: EndoflifeStandIn = Object.assign(local, state);
  return standIn;
}

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { startLocalServer, type LocalServer } from './http-server.ts';

/** What a {@link CredentialCatcher} answers. */
export interface CatcherAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * An attacker's server on loopback: records every request it gets, with the headers that carry
 * credentials, and answers what `respond` says (by default 200 and an empty JSON list).
 */
export interface CredentialCatcher extends LocalServer {
  requests: { method: string; path: string; headers: IncomingHttpHeaders }[];
  respond: (req: IncomingMessage) => CatcherAnswer;
  /** Every Authorization, Proxy-Authorization and Cookie value received. */
  credentialsSeen(): string[];
}

/** Starts a credential catcher on 127.0.0.1. */
export async function startCredentialCatcher(): Promise<CredentialCatcher> {
  const requests: CredentialCatcher['requests'] = [];
  const local = await startLocalServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    const answer = catcher.respond(req);
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body ?? '');
  });
  const catcher: CredentialCatcher = Object.assign(local, {
    requests,
    respond: (): CatcherAnswer => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '[]' }),
    credentialsSeen: () =>
      requests.flatMap(({ headers }) => [headers.authorization, headers['proxy-authorization'], headers.cookie].filter((value): value is string => value !== undefined)),
  });
  return catcher;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLocalServer, type LocalServer } from '../../apps/agent/test/helpers/http-server.ts';

/** How one path of a {@link BadUpstream} answers. */
export type Answer = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * A local stand-in for an upstream service (GitHub API, Helm repository, OCI registry) that
 * answers each path as the test scripted it, typically badly; unscripted paths get a 404.
 */
export interface BadUpstream extends LocalServer {
  answers: Map<string, Answer>;
  /** Paths requested, in order. */
  requests: string[];
}

/** Starts a {@link BadUpstream} on 127.0.0.1. */
export async function startBadUpstream(): Promise<BadUpstream> {
  const answers = new Map<string, Answer>();
  const requests: string[] = [];
  const local = await startLocalServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(path);
    const answer = answers.get(path);
    if (answer === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      return;
    }
    await answer(req, res);
  });
  return Object.assign(local, { answers, requests });
}

/** Answers `body` with `status` and `contentType`. */
export function fixed(status: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}): Answer {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)), ...headers }).end(body);
  };
}

/**
 * Streams `totalBytes` of `line` repeated, chunked (no Content-Length), so the reader only learns
 * the size by reading: the way a misbehaving server or a proxy sends an endless answer.
 */
export function endless(contentType: string, head: string, line: string, totalBytes: number): Answer {
  return async (_req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    res.write(head);
    const chunk = line.repeat(Math.max(1, Math.floor((64 * 1024) / line.length)));
    let sent = head.length;
    while (sent < totalBytes && !res.destroyed) {
      const ok = res.write(chunk);
      sent += chunk.length;
      if (!ok) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
    }
    res.end();
  };
}

/** An nginx-style HTML error page, as proxies and load balancers answer when the service behind them fails. */
export function htmlErrorPage(status: number, reason: string): string {
  return `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/** A YAML document whose aliases expand to 9^9 (387 million) values: "billion laughs". */
export const YAML_ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((name, i) => {
    const previous = 'abcdefghi'[i] as string;
    return `${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(',')}]`;
  }),
  'image:',
  '  tag: *i',
  '',
].join('\n');

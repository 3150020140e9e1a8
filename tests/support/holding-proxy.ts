import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An upstream that stalls on demand: a proxy in front of a stand-in (e.g. the GitHub API stand-in)
 * that holds requests open while `holding` is true, so a task is reliably "in the middle" when
 * the agent running it is killed. Released or not held, requests go through unchanged.
 */
export interface HoldingProxy {
  url: string;
  holding: boolean;
  /** Requests seen (path), held ones included. */
  requests: string[];
  /** Requests being held right now. */
  held(): number;
  release(): void;
  close(): Promise<void>;
}

export async function startHoldingProxy(targetUrl: string): Promise<HoldingProxy> {
  const waiting: (() => void)[] = [];
  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && name !== 'host') headers[name] = value;
    try {
      const answer = await fetch(`${targetUrl}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers });
      const body = Buffer.from(await answer.arrayBuffer());
      const out: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(name)) out[name] = value;
      });
      res.writeHead(answer.status, out).end(body);
    } catch (error) {
      if (!res.destroyed) res.writeHead(502).end(String(error));
    }
  };
  const proxy: HoldingProxy = {
    url: '',
    holding: false,
    requests: [],
    held: () => waiting.length,
    release() {
      for (const go of waiting.splice(0)) go();
    },
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    proxy.requests.push(req.url ?? '/');
    if (proxy.holding) waiting.push(() => void forward(req, res));
    else void forward(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      waiting.length = 0;
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return proxy;
}

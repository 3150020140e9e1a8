import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as a receiver saw it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the request was complete. */
  at: number;
}

/** How a receiver answers one request; `hold` never answers (the connection stays open). */
export type ReceiverAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hold';

/** Decides the answer to the `index`-th request (0 = the first). */
export type Respond = (request: ReceivedRequest, index: number) => ReceiverAnswer;

/** A local HTTP endpoint standing in for Slack, Discord, Teams or a customer's webhook. */
export interface Receiver {
  /** Base URL, e.g. http://127.0.0.1:40123 (add any path). */
  url: string;
  port: number;
  requests: ReceivedRequest[];
  respond: Respond;
  /** Resolves with the `count`-th request once it has arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 (a free port) answering with `respond`. */
export async function startReceiver(respond: Respond): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const held = new Set<ServerResponse>();
  const waiters: Array<() => void> = [];
  const receiver: Receiver = {
    url: '',
    port: 0,
    requests,
    respond,
    async waitForRequests(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) throw new Error(`receiver got ${requests.length} of ${count} requests within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return requests.slice(0, count);
    },
    close: async () => {
      for (const response of held) response.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now() };
      const index = requests.length;
      requests.push(request);
      for (const wake of waiters.splice(0)) wake();
      const answer = receiver.respond(request, index);
      if (answer === 'hold') {
        held.add(res);
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}`;
  return receiver;
}

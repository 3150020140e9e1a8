/* eslint-disable @typescript-eslint/no-explicit-any -- webhook bodies are asserted field by field */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { freePort } from '@planekeeper/db';

export interface Arrival {
  webhookId: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
  /** What the receiver did with it. */
  answered: number | 'held';
}

/**
 * A webhook receiver that can misbehave on purpose: answer a status (503), hold a request open
 * without answering (a notifier killed mid-delivery), or be down altogether (nothing listening
 * on its port: connection refused) and come back on the same port, so the channel URL stays valid.
 */
export interface FaultReceiver {
  url: string;
  port: number;
  arrivals: Arrival[];
  /** 'hold' keeps the request open until `releaseHeld` or `down`; a number is the status answered. */
  mode: number | 'hold';
  /** Stops listening and drops every open connection (held requests included). */
  down(): Promise<void>;
  up(): Promise<void>;
  releaseHeld(status: number): void;
  /** Arrivals answered 2xx, by webhook-id. */
  deliveredIds(): Set<string>;
  close(): Promise<void>;
}

export async function startFaultReceiver(path = '/hooks/planekeeper'): Promise<FaultReceiver> {
  const port = await freePort();
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const held: { res: ServerResponse; arrival: Arrival }[] = [];
  const receiver: FaultReceiver = {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    arrivals: [],
    mode: 204,
    async down() {
      const closing = server;
      server = null;
      if (!closing) return;
      held.length = 0;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    async up() {
      if (server) return;
      const next = createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => (body += chunk));
        req.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          const id = req.headers['webhook-id'];
          const arrival: Arrival = { webhookId: typeof id === 'string' ? id : undefined, headers: req.headers, body, json, at: Date.now(), answered: receiver.mode === 'hold' ? 'held' : receiver.mode };
          receiver.arrivals.push(arrival);
          if (receiver.mode === 'hold') held.push({ res, arrival });
          else res.writeHead(receiver.mode).end();
        });
      });
      next.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      // Bound again right after a close: the port was ours a moment ago.
      await new Promise<void>((resolve, reject) => {
        next.once('error', reject);
        next.listen(port, '127.0.0.1', () => resolve());
      });
      server = next;
    },
    releaseHeld(status) {
      for (const { res, arrival } of held.splice(0)) {
        arrival.answered = status;
        if (!res.destroyed) res.writeHead(status).end();
      }
    },
    deliveredIds() {
      return new Set(receiver.arrivals.flatMap((a) => (typeof a.answered === 'number' && a.answered < 300 && a.webhookId ? [a.webhookId] : [])));
    },
    close: () => receiver.down(),
  };
  await receiver.up();
  return receiver;
}

import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { Registry } from 'prom-client';
import { answerOpsRequest, closeServer, createOpsServer, listen, type ReadinessCheck } from './ops-server.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer));
});

async function readyz(ready: ReadinessCheck, readyTimeoutMs?: number) {
  const server = createOpsServer({ ready, registry: new Registry(), ...(readyTimeoutMs === undefined ? {} : { readyTimeoutMs }) });
  servers.push(server);
  const port = await listen(server, 0, '127.0.0.1');
  const started = Date.now();
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: response.status, body: (await response.json()) as unknown, ms: Date.now() - started };
}

describe('/readyz', () => {
  it('is 200 when every check passes and 503 naming the one that fails', async () => {
    expect(await readyz(async () => ({ database: true, migrations: true }))).toMatchObject({ status: 200, body: { status: 'ready' } });
    expect(await readyz(async () => ({ database: false, migrations: true }))).toMatchObject({
      status: 503, body: { status: 'not_ready', checks: { database: false, migrations: true } },
    });
  });

  it('is 503 when a check throws', async () => {
    expect(await readyz(async () => Promise.reject(new Error('connection refused')))).toMatchObject({ status: 503, body: { checks: { ready: false } } });
  });

  it('answers 503 in time when a check hangs (a database that never answers), not when the check gives up', async () => {
    const answer = await readyz(() => new Promise(() => undefined), 200);
    expect(answer).toMatchObject({ status: 503, body: { status: 'not_ready', checks: { answeredInTime: false } } });
    expect(answer.ms).toBeLessThan(5_000);
  });
});

describe('/metrics', () => {
  it('is left to the caller with metrics: false (a public port whose metrics are on an ops port)', async () => {
    const server = createServer((req, res) => {
      void answerOpsRequest(req, res, { ready: async () => ({}), registry: new Registry(), metrics: false }).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    servers.push(server);
    const port = await listen(server, 0, '127.0.0.1');
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});

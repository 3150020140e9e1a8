import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AgentApiError, createAgentApi, type AgentApi } from '../src/api-client.ts';
import { closedPort, readBody, startLocalServer, type LocalServer } from './helpers/http-server.ts';

const heartbeat = { name: 'a', version: '1', hostname: 'h', capabilities: ['gather' as const], credentials: [], maxConcurrentTasks: 1 };
const failureOf = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a failure'); }, (error: unknown) => error as AgentApiError);

describe('the agent API client', () => {
  let server: LocalServer;
  const seen: { method?: string; url?: string; headers: Record<string, unknown>; body: unknown }[] = [];
  let api: AgentApi;

  beforeAll(async () => {
    server = await startLocalServer(async (req, res) => {
      const body = (await readBody(req)).toString('utf8');
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: body === '' ? undefined : JSON.parse(body) });
      const answer = (status: number, json?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { ...(json === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
        res.end(json === undefined ? undefined : JSON.stringify(json));
      };
      if (req.url?.includes('/status-')) {
        const status = Number(/status-(\d+)/.exec(req.url)?.[1]);
        return answer(status, status === 302 ? undefined : { error: { message: 'said so' } }, status === 302 ? { location: 'https://elsewhere.example.com/' } : {});
      }
      if (req.url?.includes('/trickle')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        const timer = setInterval(() => res.write(' '), 20);
        res.on('close', () => clearInterval(timer));
        return;
      }
      if (req.url?.includes('/cut')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"agentId"');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      if (req.url === '/api/v1/agent/heartbeat') return answer(200, { agentId: 'agent-1', pollIntervalSeconds: 30, serverTime: '2026-01-01T00:00:00.000Z' });
      if (req.url === '/api/v1/agent/tasks/claim') return answer(204);
      answer(404, { error: { message: 'no such route' } });
    });
    api = createAgentApi({ serverUrl: `${server.url}/api/v1/agent`, apiKey: 'pk_client_test', userAgent: 'planekeeper-agent/test' });
  });
  afterAll(async () => {
    api.close();
    await server.close();
  });

  it('posts JSON with the bearer key and reads the answer', async () => {
    expect(await api.heartbeat(heartbeat)).toEqual({ agentId: 'agent-1', pollIntervalSeconds: 30, serverTime: '2026-01-01T00:00:00.000Z' });
    const request = seen.at(-1);
    expect(request).toMatchObject({ method: 'POST', url: '/api/v1/agent/heartbeat', body: heartbeat });
    expect(request?.headers).toMatchObject({ authorization: 'Bearer pk_client_test', 'content-type': 'application/json', 'user-agent': 'planekeeper-agent/test' });
  });

  it('answers an empty claim (204) with no tasks', async () => {
    expect(await api.claimTasks({ agentId: 'agent-1', max: 1, wait: 0 })).toEqual([]);
  });

  it('says how a call failed by the status', async () => {
    const at = (status: number) => createAgentApi({ serverUrl: `${server.url}/status-${status}/api/v1/agent`, apiKey: 'pk_client_test', userAgent: 'ua' });
    const cases: [number, string, string][] = [
      [401, 'unauthorized', 'the server refused AGENT_API_KEY (401): said so'],
      [409, 'conflict', 'the server says this lease is no longer valid (409): said so'],
      [503, 'unavailable', 'the server answered 503 for /heartbeat: said so'],
      [429, 'unavailable', 'the server answered 429 for /heartbeat: said so'],
      [400, 'rejected', 'the server answered 400 for /heartbeat: said so'],
      [302, 'rejected', 'the server redirected /heartbeat to https://elsewhere.example.com/; set AGENT_SERVER_URL to the final URL'],
    ];
    for (const [status, kind, message] of cases) {
      const client = at(status);
      const error = await failureOf(client.heartbeat(heartbeat));
      client.close();
      expect({ status, kind: error.kind, message: error.message }).toEqual({ status, kind, message });
    }
  });

  it('bounds the whole exchange, not only a silent socket', async () => {
    const client = createAgentApi({ serverUrl: `${server.url}/trickle/api/v1/agent`, apiKey: 'pk_client_test', userAgent: 'ua', requestTimeoutMs: 300 });
    const started = Date.now();
    const error = await failureOf(client.heartbeat(heartbeat));
    client.close();
    expect(error).toBeInstanceOf(AgentApiError);
    expect({ kind: error.kind, message: error.message }).toEqual({ kind: 'unavailable', message: 'the server did not answer /heartbeat in time' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails as unavailable when the connection drops mid-answer or is refused', async () => {
    const cut = createAgentApi({ serverUrl: `${server.url}/cut/api/v1/agent`, apiKey: 'pk_client_test', userAgent: 'ua' });
    expect(await failureOf(cut.heartbeat(heartbeat))).toMatchObject({ kind: 'unavailable', message: 'could not reach the server for /heartbeat: ECONNRESET' });
    cut.close();
    const refused = createAgentApi({ serverUrl: `http://127.0.0.1:${await closedPort()}/api/v1/agent`, apiKey: 'pk_client_test', userAgent: 'ua' });
    expect(await failureOf(refused.heartbeat(heartbeat))).toMatchObject({ kind: 'unavailable', message: 'could not reach the server for /heartbeat: ECONNREFUSED' });
    refused.close();
  });

  it('stops a claim when its signal aborts', async () => {
    const abort = new AbortController();
    const client = createAgentApi({ serverUrl: `${server.url}/trickle/api/v1/agent`, apiKey: 'pk_client_test', userAgent: 'ua' });
    setTimeout(() => abort.abort(), 50);
    expect(await failureOf(client.claimTasks({ agentId: 'agent-1', max: 1, wait: 25 }, abort.signal))).toMatchObject({ kind: 'unavailable' });
    client.close();
  });
});

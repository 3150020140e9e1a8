import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { client, makeTenant, startApi, type ApiUnderTest } from './helpers/api-server.ts';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());

describe('operations endpoints', () => {
  it('answer /healthz, and /readyz with what it checked', async () => {
    expect((await client(api.url).get('/healthz')).status).toBe(200);
    const ready = await client(api.url).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: true, migrations: true, taskListener: true });
  });

  it('expose Prometheus metrics: requests, queue depth per queue, agents online', async () => {
    const tenant = await makeTenant(api);
    await client(api.url, tenant.keys.agent).post('/api/v1/agent/heartbeat', {
      name: 'metrics-agent', version: '1', hostname: 'h', capabilities: ['gather'], credentials: [], maxConcurrentTasks: 1,
    });
    await client(api.url, tenant.keys.viewer).get('/api/v1/rules');
    const response = await fetch(`${api.opsUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/planekeeper_http_requests_total\{[^}]*route="\/api\/v1\/rules"[^}]*status="200"[^}]*\} 1/);
    for (const queue of ['task.completed', 'evaluate', 'alert.event', 'notification.deliver', 'notification.dead', 'dead-letters']) {
      expect(text).toContain(`planekeeper_queue_depth{queue="${queue}",state="queued",service="api"}`);
    }
    expect(text).toMatch(/planekeeper_agents_online\{service="api"\} 1/);
  });
});

describe('a graceful stop', () => {
  it('answers the long polls waiting for work at once, rather than holding the stop for their whole wait', async () => {
    const stopping = await startApi();
    try {
      const tenant = await makeTenant(stopping);
      const agent = client(stopping.url, tenant.keys.agent);
      const { body } = await agent.post('/api/v1/agent/heartbeat', { name: 'patient', version: '1', hostname: 'h', capabilities: ['gather'], credentials: [], maxConcurrentTasks: 1 });
      const waiting = agent.post('/api/v1/agent/tasks/claim', { agentId: body.agentId, max: 1, wait: 60 });
      for (;;) {
        const metrics = await (await fetch(`${stopping.opsUrl}/metrics`)).text();
        if (/planekeeper_agent_claims_waiting\{service="api"\} 1/.test(metrics)) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await stopping.service.stop();
      expect((await waiting).status).toBe(204);
    } finally {
      await stopping.stop();
    }
  });
});

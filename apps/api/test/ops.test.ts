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
    const response = await fetch(`${api.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/planekeeper_http_requests_total\{[^}]*route="\/api\/v1\/rules"[^}]*status="200"[^}]*\} 1/);
    for (const queue of ['task.completed', 'evaluate', 'alert.event', 'notification.deliver', 'notification.dead']) {
      expect(text).toContain(`planekeeper_queue_depth{queue="${queue}",state="queued",service="api"}`);
    }
    expect(text).toMatch(/planekeeper_agents_online\{service="api"\} 1/);
  });
});

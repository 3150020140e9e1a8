import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { client, makeTenant, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

let api: ApiUnderTest;
let acme: Tenant;
let globex: Tenant;
let agentId: string;

beforeAll(async () => {
  api = await startApi();
  acme = await makeTenant(api, 'Acme');
  globex = await makeTenant(api, 'Globex');
  const beat = await client(api.url, acme.keys.agent).post('/api/v1/agent/heartbeat', { name: 'site-1', version: '1', hostname: 'h', capabilities: ['gather'], credentials: [], maxConcurrentTasks: 1 });
  agentId = beat.body.agentId;
});
afterAll(() => api.stop());

const admin = () => client(api.url, acme.keys.admin);
const agent = () => client(api.url, acme.keys.agent);

describe('probes', () => {
  it('are asked by admins (202), handed to the agent once, and show its report', async () => {
    const asked = await admin().post(`/api/v1/agents/${agentId}/probes`, { url: 'https://bot:hunter2@registry.example.com/v2/' });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ status: 'pending', report: null, target: { host: 'registry.example.com', port: 443, tls: true, url: 'https://registry.example.com/v2/' } });
    expect(JSON.stringify(asked.body)).not.toContain('hunter2');

    const polled = await agent().post('/api/v1/agent/diagnostics', { agentId, effectiveConfig: { AGENT_NAME: 'site-1', GITHUB_TOKEN: '(set, redacted)' } });
    expect(polled.status).toBe(200);
    expect(polled.body.probes).toEqual([{ id: asked.body.id, target: asked.body.target }]);
    expect((await agent().post('/api/v1/agent/diagnostics', { agentId, effectiveConfig: {} })).body.probes).toEqual([]);
    expect((await admin().get(`/api/v1/agents/${agentId}/probes/${asked.body.id}`)).body.status).toBe('sent');

    const report = { outcome: 'succeeded', steps: [{ step: 'resolve', ok: true, ms: 2.5, detail: '10.0.0.7' }, { step: 'connect', ok: true, ms: 1 }, { step: 'tls', ok: true, ms: 8 }], address: '10.0.0.7:443', certificate: { subject: 'CN=registry.example.com', issuer: 'CN=Corp CA', validFrom: '2026-01-01T00:00:00.000Z', validTo: '2027-01-01T00:00:00.000Z', trusted: true } };
    expect((await agent().post(`/api/v1/agent/probes/${asked.body.id}/result`, { agentId, report })).status).toBe(202);
    expect((await agent().post(`/api/v1/agent/probes/${asked.body.id}/result`, { agentId, report })).status).toBe(409);
    const shown = await client(api.url, acme.keys.viewer).get(`/api/v1/agents/${agentId}/probes/${asked.body.id}`);
    expect(shown.body).toMatchObject({ status: 'succeeded', report, completedAt: expect.any(String) });
  });

  it('take a host and port (TCP only), and refuse bad targets with 400 naming the field', async () => {
    const asked = await admin().post(`/api/v1/agents/${agentId}/probes`, { host: '10.0.0.9', port: 5432 });
    expect(asked.body.target).toEqual({ host: '10.0.0.9', port: 5432, tls: false });
    for (const body of [{ url: 'ftp://x.example' }, { host: 'db', port: 0 }, { host: 'a b', port: 22 }, { url: 'https://x.example', host: 'x', port: 1 }, {}]) {
      const answer = await admin().post(`/api/v1/agents/${agentId}/probes`, body);
      expect({ body, status: answer.status, code: answer.body.error.code }).toEqual({ body, status: 400, code: 'validation_failed' });
    }
  });

  it('are for admins to ask and for any key of the organization to read; another organization sees none', async () => {
    const asked = await admin().post(`/api/v1/agents/${agentId}/probes`, { host: 'git.example.com', port: 22 });
    for (const role of ['member', 'viewer', 'agent'] as const) {
      expect((await client(api.url, acme.keys[role]).post(`/api/v1/agents/${agentId}/probes`, { host: 'x.example', port: 1 })).status).toBe(403);
    }
    expect((await client(api.url, globex.keys.admin).post(`/api/v1/agents/${agentId}/probes`, { host: 'x.example', port: 1 })).status).toBe(404);
    expect((await client(api.url, globex.keys.admin).get(`/api/v1/agents/${agentId}/probes/${asked.body.id}`)).status).toBe(404);
    expect((await admin().get(`/api/v1/agents/${agentId}/probes/not-a-probe`)).status).toBe(404);
    const theirs = await client(api.url, globex.keys.agent).post('/api/v1/agent/diagnostics', { agentId, effectiveConfig: {} });
    expect(theirs.status).toBe(404);
    const stolen = await client(api.url, globex.keys.agent).post(`/api/v1/agent/probes/${asked.body.id}/result`, { agentId, report: { outcome: 'refused', steps: [] } });
    expect(stolen.status).toBe(404);
  });
});

describe('effective configuration', () => {
  it('is shown as the agent last reported it, and bounded', async () => {
    await agent().post('/api/v1/agent/diagnostics', { agentId, effectiveConfig: { AGENT_NAME: 'site-1', AGENT_CAPABILITIES: ['gather'], AGENT_POLL_INTERVAL: 30, GITHUB_TOKEN: null } });
    const view = await client(api.url, acme.keys.viewer).get(`/api/v1/agents/${agentId}/diagnostics`);
    expect(view.body).toMatchObject({ agentId, effectiveConfig: { AGENT_NAME: 'site-1', AGENT_CAPABILITIES: ['gather'], AGENT_POLL_INTERVAL: 30, GITHUB_TOKEN: null }, reportedAt: expect.any(String) });
    const tooBig = await agent().post('/api/v1/agent/diagnostics', { agentId, effectiveConfig: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`K${i}`, 'x'.repeat(1000)])) });
    expect(tooBig.status).toBe(400);
    expect((await client(api.url, globex.keys.viewer).get(`/api/v1/agents/${agentId}/diagnostics`)).status).toBe(404);
  });

  it('is null for an agent that has not reported yet', async () => {
    const beat = await agent().post('/api/v1/agent/heartbeat', { name: 'quiet', version: '1', hostname: 'h', capabilities: ['gather'], credentials: [], maxConcurrentTasks: 1 });
    const view = await admin().get(`/api/v1/agents/${beat.body.agentId}/diagnostics`);
    expect(view.body).toEqual({ agentId: beat.body.agentId, effectiveConfig: null, reportedAt: null });
  });
});

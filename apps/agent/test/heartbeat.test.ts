import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAgentApi, type AgentApi } from '../src/api-client.ts';
import { createHealthSampler } from '../src/health.ts';
import { createTaskLoop, DEFAULT_TIMINGS, type TaskLoop } from '../src/loop.ts';
import { captureLogger } from './helpers/logger.ts';
import { readBody, startLocalServer, type LocalServer } from './helpers/http-server.ts';

// The heartbeat as the agent sends it to a server speaking the agent protocol: its health
// sample, its (injected) clock, the round trip of the previous beat, its instance id, and the
// warnings of the answer logged once each.

const AHEAD_MS = 120_000;
const beats: Array<Record<string, unknown>> = [];
// What the server warns on each answer, in turn; the last one repeats.
const warningsByBeat = [
  [],
  ["clock skew: the agent's clock is 120 s ahead of the server's"],
  ["clock skew: the agent's clock is 121 s ahead of the server's"],
  ["clock skew: the agent's clock is 120 s ahead of the server's"],
  [],
];

let server: LocalServer;
let api: AgentApi;
let loop: TaskLoop;
const log = captureLogger();
const instanceId = crypto.randomUUID();

beforeAll(async () => {
  server = await startLocalServer(async (req, res) => {
    const body = (await readBody(req)).toString('utf8');
    res.setHeader('content-type', 'application/json');
    if (req.url === '/api/v1/agent/heartbeat') {
      beats.push(JSON.parse(body) as Record<string, unknown>);
      const warnings = warningsByBeat[Math.min(beats.length - 1, warningsByBeat.length - 1)];
      res.end(JSON.stringify({ agentId: crypto.randomUUID(), pollIntervalSeconds: 30, serverTime: new Date().toISOString(), warnings }));
      return;
    }
    // Claims wait a little and find nothing.
    setTimeout(() => {
      res.statusCode = 204;
      res.end();
    }, 50);
  });
  api = createAgentApi({ serverUrl: `${server.url}/api/v1/agent`, apiKey: 'pk_heartbeat_test', userAgent: 'planekeeper-agent/test' });
  loop = createTaskLoop({
    api,
    runTask: () => Promise.reject(new Error('no task is claimed here')),
    logger: log.logger,
    agent: { name: 'site-1', version: '1.0.0', hostname: 'h', capabilities: ['gather'], credentials: [], maxConcurrentTasks: 2 },
    instanceId,
    sampleHealth: createHealthSampler(mkdtempSync(path.join(os.tmpdir(), 'pk-heartbeat-'))),
    now: () => Date.now() + AHEAD_MS,
    timings: { ...DEFAULT_TIMINGS, pollIntervalMs: 50, claimWaitSeconds: 0.05, drainTimeoutMs: 200 },
  });
  loop.start();
  const deadline = Date.now() + 10_000;
  while (beats.length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
});
afterAll(async () => {
  await loop.stop();
  api.close();
  await server.close();
});

describe('the heartbeat', () => {
  it('carries the health sample, the instance id and the agent clock', () => {
    expect(beats.length).toBeGreaterThanOrEqual(6);
    const [first] = beats;
    expect(first).toMatchObject({ name: 'site-1', instanceId, roundTripMs: null, maxConcurrentTasks: 2 });
    expect(Math.abs((first!.clock as number) - (Date.now() + AHEAD_MS))).toBeLessThan(15_000);
    const health = first!.health as Record<string, unknown>;
    expect(health).toMatchObject({ runningTasks: 0, cpuPercent: expect.any(Number) });
    expect(health.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(health.cacheFreeBytes).toBeGreaterThan(0);
    expect(health.loadAverage).toHaveLength(3);
    // The same process keeps its instance id.
    expect(new Set(beats.map((b) => b.instanceId))).toEqual(new Set([instanceId]));
  });

  it('reports the round trip of the previous beat from the second beat on', () => {
    for (const beat of beats.slice(1)) {
      expect(beat.roundTripMs).toEqual(expect.any(Number));
      expect(beat.roundTripMs as number).toBeGreaterThanOrEqual(0);
      expect(beat.roundTripMs as number).toBeLessThan(5000);
    }
  });

  it('logs a warning of the server once while it lasts, whatever its figures, and when it clears', () => {
    const warned = log.lines().filter((line) => String(line.msg).startsWith('the server'));
    expect(warned.map((line) => [line.level, line.msg])).toEqual([
      ["warn", "the server warns: clock skew: the agent's clock is 120 s ahead of the server's"],
      ["info", 'the server no longer warns of clock skew'],
    ]);
  });
});

import { describe, expect, it } from '@jest/globals';
import {
  agentHeartbeatSchema,
  claimedTaskSchema,
  gatherResultSchema,
  taskClaimSchema,
  taskFailureBodySchema,
  taskResultBodySchema,
  taskResultKind,
  taskResultSchemaFor,
} from './agents.ts';
import { schemaProblems } from './parse.ts';

const UUID = '3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';
const paths = (schema: Parameters<typeof schemaProblems>[0], data: unknown) => schemaProblems(schema, data).map((p) => p.path);

const heartbeat = { name: 'site-west-1', version: '1.0.0', hostname: 'node-a', capabilities: ['gather', 'scrape'], credentials: ['my-github-pat'], maxConcurrentTasks: 4 };

describe('agent heartbeat', () => {
  it('accepts a heartbeat', () => {
    expect(paths(agentHeartbeatSchema, heartbeat)).toEqual([]);
  });

  it.each([
    ['unknown capability', { ...heartbeat, capabilities: ['deploy'] }, ['capabilities.0']],
    ['no capability', { ...heartbeat, capabilities: [] }, ['capabilities']],
    ['repeated capability', { ...heartbeat, capabilities: ['gather', 'gather'] }, ['capabilities']],
    ['credential with a space', { ...heartbeat, credentials: ['my key'] }, ['credentials.0']],
    ['maxConcurrentTasks 0', { ...heartbeat, maxConcurrentTasks: 0 }, ['maxConcurrentTasks']],
    ['secret sent along', { ...heartbeat, token: 'ghp_x' }, ['token']],
  ])('refuses %s', (_name, body, expected) => {
    expect(paths(agentHeartbeatSchema, body)).toEqual(expected);
  });
});

describe('task claim', () => {
  it('defaults max to 1 and wait to 0', () => {
    expect(taskClaimSchema.parse({ agentId: UUID })).toEqual({ agentId: UUID, max: 1, wait: 0 });
  });

  it.each([
    [{ agentId: UUID, max: 50, wait: 60 }, []],
    [{ agentId: UUID, max: 51 }, ['max']],
    [{ agentId: UUID, max: 0 }, ['max']],
    [{ agentId: UUID, wait: 61 }, ['wait']],
    [{ agentId: UUID, wait: -1 }, ['wait']],
    [{ agentId: 'agent-1' }, ['agentId']],
  ])('%j -> %j', (body, expected) => {
    expect(paths(taskClaimSchema, body)).toEqual(expected);
  });

  it('types the spec of a claimed task by kind', () => {
    const task = claimedTaskSchema.parse({
      id: UUID,
      kind: 'scrape',
      jobId: UUID,
      leaseToken: UUID,
      leaseExpiresAt: '2026-01-01T00:05:00.000Z',
      credentialName: null,
      spec: { repoUrl: 'https://github.com/a/b', ref: null, filePath: 'values.yaml', parser: 'yq', expression: '.image.tag', extra: 'ignored' },
    });
    if (task.kind !== 'scrape') throw new Error('expected scrape');
    expect(task.spec).toEqual({ repoUrl: 'https://github.com/a/b', ref: null, filePath: 'values.yaml', parser: 'yq', expression: '.image.tag' });
  });
});

describe('task results', () => {
  const gather = { releases: [{ tag: 'v1.2.0', publishedAt: '2026-01-01T00:00:00Z', prerelease: false, url: 'https://x' }, { tag: '20-alpine', publishedAt: null, prerelease: false }], etag: 'W/"abc"' };
  const scrape = { version: 'v1.2.0', raw: 'tag: v1.2.0', commitSha: 'a'.repeat(40) };
  const helm = { charts: [{ name: 'nginx', versions: ['1.0.0', '1.1.0'] }] };

  it.each([
    ['gather', gather],
    ['scrape', scrape],
    ['helm_sync', helm],
  ] as const)('taskResultSchemaFor(%s) accepts its result and refuses the others', (kind, result) => {
    expect(paths(taskResultSchemaFor(kind), result)).toEqual([]);
    for (const other of [gather, scrape, helm].filter((r) => r !== result)) {
      expect(paths(taskResultSchemaFor(kind), other).length).toBeGreaterThan(0);
    }
  });

  it.each([
    ['publishedAt not ISO', { releases: [{ tag: 'v1', publishedAt: '01/02/2026', prerelease: false }] }, ['releases.0.publishedAt']],
    ['empty tag', { releases: [{ tag: '', publishedAt: null, prerelease: false }] }, ['releases.0.tag']],
    ['prerelease missing', { releases: [{ tag: 'v1', publishedAt: null }] }, ['releases.0.prerelease']],
  ])('gather result refuses %s', (_name, body, expected) => {
    expect(paths(gatherResultSchema, body)).toEqual(expected);
  });

  it.each([
    ['gather', gather],
    ['scrape', scrape],
    ['helm_sync', helm],
  ] as const)('taskResultKind tells a %s result the body schema accepted', (kind, result) => {
    expect(taskResultKind(taskResultBodySchema.parse({ leaseToken: UUID, result }).result)).toBe(kind);
  });

  it('scrape result refuses a commit sha that is not hex', () => {
    expect(paths(taskResultSchemaFor('scrape'), { ...scrape, commitSha: 'main' })).toEqual(['commitSha']);
  });

  it('result body needs a lease token and some result', () => {
    expect(paths(taskResultBodySchema, { leaseToken: UUID, result: scrape })).toEqual([]);
    expect(paths(taskResultBodySchema, { result: scrape })).toEqual(['leaseToken']);
    expect(paths(taskResultBodySchema, { leaseToken: UUID, result: { foo: 1 } })).toEqual(['result']);
  });

  it('failure body', () => {
    expect(paths(taskFailureBodySchema, { leaseToken: UUID, error: { message: 'clone failed', retryable: true } })).toEqual([]);
    expect(paths(taskFailureBodySchema, { leaseToken: UUID, error: { message: '' } })).toEqual(['error.message', 'error.retryable']);
  });
});

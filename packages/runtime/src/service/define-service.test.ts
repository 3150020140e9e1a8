import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from '../logger.ts';
import type { ServiceBackend } from './backend.ts';
import { defineService, type ServiceDeclaration } from './define-service.ts';

// The kernel's order of acquisition and release, with a backend that records what it is asked
// (the real one, Postgres and pg-boss, is tried in packages/db/test/service-kernel.test.ts).

const logger = createLogger({ service: 'kernel-test', level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });

function recordingBackend(events: string[], overrides: Partial<ServiceBackend<string, string>> = {}): ServiceBackend<string, string> {
  return {
    resolveDatabase: async () => {
      events.push('database up');
      return { url: 'postgres://test', embedded: true, stop: async () => void events.push('database stopped') };
    },
    openPool: () => {
      events.push('pool open');
      return { db: 'db', close: async () => void events.push('pool closed') };
    },
    startQueue: async () => {
      events.push('queue started');
      return { boss: 'boss', stop: async (timeoutMs) => void events.push(`queue stopped within ${timeoutMs} ms`) };
    },
    createQueues: async () => void events.push('queues created'),
    checkDatabase: async () => ({ database: true, migrations: true }),
    ...overrides,
  };
}

function declaration(events: string[], more: Partial<ServiceDeclaration<string, string, { db: string }>> = {}): ServiceDeclaration<string, string, { db: string }> {
  return {
    name: 'kernel-test',
    backend: recordingBackend(events),
    logger,
    port: 0,
    databaseUrl: undefined,
    pool: { max: 1 },
    deps: ({ db }) => ({ db }),
    onStart: [
      async () => {
        events.push('step run');
        return async () => void events.push('step released');
      },
    ],
    consumers: () => [{ name: 'a queue', start: async () => (events.push('consumer started'), async () => void events.push('consumer stopped')) }],
    loops: () => [{ name: 'a loop', start: async () => (events.push('loop started'), async () => void events.push('loop stopped')) }],
    ...more,
  };
}

describe('defineService', () => {
  it('acquires in order and releases in reverse, ending work before releasing anything', async () => {
    const events: string[] = [];
    const service = defineService(declaration(events, { onStop: () => void events.push('told to stop') }));
    await service.start();
    expect(events).toEqual(['database up', 'pool open', 'queue started', 'queues created', 'step run', 'consumer started', 'loop started']);
    expect((await fetch(`http://127.0.0.1:${service.port}/healthz`)).status).toBe(200);
    events.length = 0;
    await service.stop();
    expect(events).toEqual(['told to stop', 'loop stopped', 'consumer stopped', 'step released', 'queue stopped within 20000 ms', 'pool closed', 'database stopped']);
    await expect(fetch(`http://127.0.0.1:${service.port}/healthz`)).rejects.toThrow();
    events.length = 0;
    await service.stop();
    expect(events).toEqual([]);
  });

  it('releases what a failed start had acquired, and only that, and still fails', async () => {
    const events: string[] = [];
    const service = defineService(declaration(events, { loops: () => [{ name: 'a loop', start: async () => Promise.reject(new Error('no clock')) }] }));
    await expect(service.start()).rejects.toThrow('no clock');
    expect(events).toEqual([
      'database up', 'pool open', 'queue started', 'queues created', 'step run', 'consumer started',
      'consumer stopped', 'step released', 'queue stopped within 20000 ms', 'pool closed', 'database stopped',
    ]);
  });

  it('keeps going when a release fails, so nothing after it is left behind', async () => {
    const events: string[] = [];
    const backend = recordingBackend(events, { openPool: () => ({ db: 'db', close: async () => Promise.reject(new Error('pool stuck')) }) });
    const service = defineService(declaration(events, { backend }));
    await service.start();
    events.length = 0;
    await service.stop();
    expect(events).toContain('database stopped');
  });

  it('waits for a start in progress before stopping, so what it acquires late is released too', async () => {
    const events: string[] = [];
    let finishStep!: () => void;
    const service = defineService(declaration(events, {
      onStart: [async () => new Promise<void>((resolve) => (finishStep = resolve))],
    }));
    const starting = service.start();
    while (!finishStep) await new Promise((resolve) => setImmediate(resolve));
    const stopping = service.stop();
    finishStep();
    await starting;
    await stopping;
    expect(events.slice(-3)).toEqual(['queue stopped within 20000 ms', 'pool closed', 'database stopped']);
    expect(events).toContain('loop stopped');
  });

  it('answers /readyz with the database checks and its own, in time even when the database hangs', async () => {
    const events: string[] = [];
    let hang = false;
    const backend = recordingBackend(events, {
      checkDatabase: () => (hang ? new Promise(() => undefined) : Promise.resolve({ database: true, migrations: true })),
    });
    const service = defineService(declaration(events, { backend, ready: () => ({ listener: true }) }));
    await service.start();
    try {
      const readyz = async () => {
        const response = await fetch(`http://127.0.0.1:${service.port}/readyz`);
        return { status: response.status, body: await response.json() };
      };
      expect(await readyz()).toEqual({ status: 200, body: { status: 'ready', checks: { database: true, migrations: true, listener: true } } });
      hang = true;
      expect(await readyz()).toEqual({ status: 503, body: { status: 'not_ready', checks: { answeredInTime: false } } });
    } finally {
      await service.stop();
    }
  });
});

/* eslint-disable @typescript-eslint/no-explicit-any -- test responses are asserted field by field */
import { createTestDatabase, type TestDatabase } from '@planekeeper/db/testing';
import type { RunningService } from '@planekeeper/runtime';
import { startInProcess } from '@planekeeper/runtime/testing';
import { sql } from 'kysely';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { generateApiKey } from '@planekeeper/db';
import type { ApiKeyRole } from '../../src/http/route.ts';

export interface ApiUnderTest {
  url: string;
  /** The ops port: /metrics (and /healthz, /readyz). */
  opsUrl: string;
  test: TestDatabase;
  service: RunningService;
  /** Every line the api logged (to check no secret ever reaches a log). */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * Starts the real api (in this process, on a free port, real HTTP) against a fresh database
 * cloned for the calling test file. `env` overrides configuration.
 */
export async function startApi(env: Record<string, string> = {}): Promise<ApiUnderTest> {
  const test = await createTestDatabase();
  const api = await startInProcess({
    name: 'api',
    loadConfig,
    createApp: (config, logger) => createApp(config, logger, { onBootstrapKey: () => undefined }),
    env: { DATABASE_URL: test.url, PORT: '0', API_OPS_PORT: '0', API_RATE_LIMIT_PER_MINUTE: '0', ...env },
  });
  return {
    url: `http://127.0.0.1:${api.service.port}`,
    opsUrl: `http://127.0.0.1:${api.service.opsPort}`,
    test,
    service: api.service,
    logs: api.logs,
    stop: async () => {
      await api.stop();
      await test.destroy();
    },
  };
}

export interface Tenant {
  organizationId: string;
  keys: Record<ApiKeyRole, string>;
}

/** An organization with one key of each role, made straight in the database. */
export async function makeTenant(api: ApiUnderTest, name = `org-${Math.random().toString(36).slice(2, 8)}`): Promise<Tenant> {
  const { db } = api.test;
  const organization = await db.insertInto('organizations').values({ name }).returning('id').executeTakeFirstOrThrow();
  const keys = {} as Record<ApiKeyRole, string>;
  for (const role of ['admin', 'member', 'viewer', 'agent'] as const) {
    const generated = generateApiKey();
    await db
      .insertInto('api_keys')
      .values({ organization_id: organization.id, name: `${role} key`, role, key_hash: generated.hash, key_prefix: generated.prefix })
      .execute();
    keys[role] = generated.key;
  }
  return { organizationId: organization.id, keys };
}

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A tiny JSON client for the api under test. */
export function client(base: string, key?: string) {
  async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
  return {
    get: <T = any>(path: string, headers?: Record<string, string>) => call<T>('GET', path, undefined, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('POST', path, body ?? {}, headers),
    put: <T = any>(path: string, body?: unknown) => call<T>('PUT', path, body ?? {}),
    patch: <T = any>(path: string, body?: unknown) => call<T>('PATCH', path, body ?? {}),
    delete: <T = any>(path: string) => call<T>('DELETE', path),
    call,
  };
}

/** Payloads of the jobs waiting in a pg-boss queue (what a producer sent). */
export async function queuedPayloads(api: ApiUnderTest, queue: string): Promise<unknown[]> {
  const { rows } = await sql<{ data: unknown }>`SELECT data FROM pgboss.job WHERE name = ${queue} ORDER BY created_on`.execute(api.test.db);
  return rows.map((r) => r.data);
}

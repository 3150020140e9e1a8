import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from '@planekeeper/runtime';
import { defaultStateDir, loadAgentConfig } from '../src/config.ts';
import { readStoredKey, STORED_KEY_FILE, writeStoredKey } from '../src/enrollment/state.ts';

const server = { AGENT_SERVER_URL: 'https://planekeeper.example.com/api/v1/agent' };
const TOKEN = 'pket_0123456789abcdefghijklmnop';
const dir = mkdtempSync(join(tmpdir(), 'pk-agent-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const problem = (env: NodeJS.ProcessEnv): string => {
  try {
    loadAgentConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

const stored = { key: 'pk_enrolled_key_0123456789', agentId: '6f1c3f1e-0000-4000-8000-000000000001', name: 'pod-7', serverUrl: server.AGENT_SERVER_URL, enrolledAt: '2026-01-01T00:00:00.000Z', capabilities: null };

describe('enrollment settings', () => {
  it('enrolls with AGENT_ENROLLMENT_TOKEN when there is no key, keeping state beside the cache by default', () => {
    const config = loadAgentConfig({ ...server, AGENT_ENROLLMENT_TOKEN: TOKEN, AGENT_CACHE_DIR: join(dir, 'fresh', 'cache') });
    expect(config.auth).toEqual({ kind: 'enroll', token: TOKEN });
    expect(config.stateDir).toBe(join(dir, 'fresh', 'cache-state'));
    expect(defaultStateDir('/tmp/planekeeper')).toBe('/tmp/planekeeper-state');
    expect(config.workerEnv).not.toHaveProperty('AGENT_ENROLLMENT_TOKEN');
  });

  it('uses the key an earlier enrollment stored, token or not', () => {
    const stateDir = join(dir, 'enrolled');
    writeStoredKey(stateDir, stored);
    for (const env of [{ ...server, AGENT_STATE_DIR: stateDir }, { ...server, AGENT_STATE_DIR: stateDir, AGENT_ENROLLMENT_TOKEN: TOKEN }]) {
      expect(loadAgentConfig(env).auth).toEqual({ kind: 'stored', apiKey: stored.key, stored });
    }
  });

  it('narrows the capabilities to those the enrollment token allowed, and names AGENT_CAPABILITIES when none is left', () => {
    const stateDir = join(dir, 'scrape-only');
    writeStoredKey(stateDir, { ...stored, capabilities: ['scrape'] });
    expect(loadAgentConfig({ ...server, AGENT_STATE_DIR: stateDir }).capabilities).toEqual(['scrape']);
    expect(problem({ ...server, AGENT_STATE_DIR: stateDir, AGENT_CAPABILITIES: 'gather' })).toContain('AGENT_CAPABILITIES: none of gather is allowed by the enrollment token');
  });

  it('names AGENT_API_KEY when no key, token or stored key is there, and refuses both at once', () => {
    expect(problem({ ...server, AGENT_STATE_DIR: join(dir, 'empty') })).toMatch(/AGENT_API_KEY: .*AGENT_ENROLLMENT_TOKEN \(recommended/);
    expect(problem({ ...server, AGENT_API_KEY: 'pk_x', AGENT_ENROLLMENT_TOKEN: TOKEN })).toMatch(/AGENT_ENROLLMENT_TOKEN: set either/);
  });

  it('refuses a malformed token, state directory or probe allowance, naming each and quoting no token', () => {
    const message = problem({ ...server, AGENT_ENROLLMENT_TOKEN: 'pk_not_a_token_0123456789', AGENT_STATE_DIR: 'relative/dir', AGENT_PROBE_ALLOW: '10.0.0.0/40,ok.example' });
    expect(message).toContain('AGENT_ENROLLMENT_TOKEN: must be a Planekeeper enrollment token');
    expect(message).toContain('AGENT_STATE_DIR: must be an absolute path');
    expect(message).toContain('AGENT_PROBE_ALLOW: entry 1: has a prefix length out of range');
    expect(message).not.toContain('pk_not_a_token_0123456789');
    expect(loadAgentConfig({ ...server, AGENT_API_KEY: 'pk_x', AGENT_PROBE_ALLOW: 'git.corp.example, 10.0.0.0/8' }).probeAllow.map((e) => e.text)).toEqual(['git.corp.example', '10.0.0.0/8']);
  });

  it('names a stored key file it cannot use, without quoting it', () => {
    const stateDir = join(dir, 'garbled');
    writeStoredKey(stateDir, stored);
    writeFileSync(join(stateDir, STORED_KEY_FILE), '{"key": "pk_half');
    const message = problem({ ...server, AGENT_STATE_DIR: stateDir });
    expect(message).toContain(`AGENT_STATE_DIR: ${join(stateDir, STORED_KEY_FILE)} is not a key this agent stored`);
    expect(message).not.toContain('pk_half');
  });
});

describe('the stored key', () => {
  it('is written atomically as a file of mode 0600 in a directory of mode 0700, and read back', () => {
    const stateDir = join(dir, 'written', 'state');
    writeStoredKey(stateDir, stored);
    writeStoredKey(stateDir, { ...stored, name: 'pod-8' });
    expect(statSync(join(stateDir, STORED_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    // No temporary file is left beside it.
    expect(readdirSync(stateDir)).toEqual([STORED_KEY_FILE]);
    expect(readStoredKey(stateDir)).toEqual({ ...stored, name: 'pod-8' });
    expect(JSON.parse(readFileSync(join(stateDir, STORED_KEY_FILE), 'utf8')).key).toBe(stored.key);
  });
});

import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig as apiConfig } from '../../apps/api/src/config.ts';
import { loadAgentConfig } from '../../apps/agent/src/config.ts';
import { loadConfig as notifierConfig } from '../../apps/notifier/src/config.ts';
import { loadConfig as rulesEngineConfig } from '../../apps/rules-engine/src/config.ts';
import { loadConfig as taskengineConfig } from '../../apps/taskengine/src/config.ts';
import { configError, inBatches, runWithEnv, schemaVariables } from '../support/config-cases.ts';

// Every variable of every service's config schema (read from its config.ts, so a new one is
// covered), each malformed in turn: in-process against loadConfig for every bad value, and as a
// real process for one bad value per variable and for every required variable left out.

const tmp = mkdtempSync(path.join(os.tmpdir(), 'pk-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Secrets in the otherwise valid environment: none may appear in any output. */
const SECRETS = {
  dbPassword: 'db-password-never-echoed-4711',
  bootstrapKey: 'pk_bootstrap_key_never_echoed_0123456789',
  agentKey: 'pk_agent_key_never_echoed_0123456789',
  githubToken: 'ghp_github_token_never_echoed_0123456789',
};
const DATABASE_URL = `postgres://planekeeper:${SECRETS.dbPassword}@127.0.0.1:1/planekeeper`;

/** Bad values of every kind: each variable must refuse at least one. `hunter2` marks a password inside a URL. */
const MALFORMED = [
  'not-a-number', '-1', '0', '1.5', '1e999', '99999999999', 'maybe', 'loud', 'x'.repeat(300), 'gather,deploy',
  'ftp://user:hunter2-in-url@example.com/api/v1/agent',
  'https://user:hunter2-in-url@example.com/api/v1',
  'mysql://root:hunter2-db@db.example.com/planekeeper',
  'sk_live_not_a_planekeeper_key_0000',
];

type Load = (env: NodeJS.ProcessEnv) => unknown;
interface Service {
  app: string;
  load: Load;
  /** A valid environment (with secrets) that each case changes one variable of. */
  base: Record<string, string>;
  /** Variables any string is valid for (checked later, if at all). */
  freeForm: string[];
  required: string[];
}

const SERVICES: Service[] = [
  { app: 'api', load: apiConfig, base: { DATABASE_URL, PLANEKEEPER_BOOTSTRAP_ADMIN_KEY: SECRETS.bootstrapKey }, freeForm: [], required: [] },
  { app: 'taskengine', load: taskengineConfig, base: { DATABASE_URL }, freeForm: [], required: [] },
  { app: 'rules-engine', load: rulesEngineConfig, base: { DATABASE_URL }, freeForm: [], required: [] },
  { app: 'notifier', load: notifierConfig, base: { DATABASE_URL }, freeForm: [], required: [] },
  {
    app: 'agent',
    load: loadAgentConfig,
    base: { AGENT_SERVER_URL: 'http://127.0.0.1:1/api/v1/agent', AGENT_API_KEY: SECRETS.agentKey, GITHUB_TOKEN: SECRETS.githubToken, AGENT_CACHE_DIR: path.join(tmp, 'cache') },
    freeForm: ['GITHUB_TOKEN', 'AGENT_CONFIG', 'AGENT_CACHE_DIR'],
    required: ['AGENT_SERVER_URL', 'AGENT_API_KEY'],
  },
];

const looksSecret = (name: string) => /KEY|TOKEN|SECRET|PASSWORD|DATABASE_URL/.test(name);
/** `NAME: ...` or, for a list, `NAME.0: ...`. */
const names = (text: string, name: string) => new RegExp(`\\b${name}(\\.\\d+)?: `).test(text);

function leaks(text: string): string[] {
  return [...Object.values(SECRETS), 'hunter2'].filter((secret) => text.includes(secret));
}

/** The bad values `variable` refuses, in MALFORMED's order. */
function refused(service: Service, variable: string): string[] {
  return MALFORMED.filter((value) => configError(service.load, { ...service.base, [variable]: value }) !== null);
}

/** A value with a password in it when the variable refuses one, else its first refused value. */
function secretCase(service: Service, variable: string): string | undefined {
  const bad = refused(service, variable);
  return bad.find((value) => value.includes('hunter2')) ?? bad[0];
}

const counts = { inProcess: 0, processes: 0 };
afterAll(() => {
  process.stdout.write(`config: ${counts.inProcess} in-process cases, ${counts.processes} processes started\n`);
});

describe.each(SERVICES.map((s) => [s.app, s] as const))('%s configuration', (_app, service) => {
  const variables = schemaVariables(service.app);

  it('is read from the schema: every variable the loaded config has is in the list', () => {
    expect(variables.length).toBeGreaterThan(2);
    expect(configError(service.load, service.base)).toBeNull();
    if (service.app !== 'agent') expect(variables).toEqual(expect.arrayContaining(Object.keys(service.load(service.base) as object)));
  });

  it('requires exactly the documented variables', () => {
    const required = variables.filter((name) => {
      const env = { ...service.base };
      delete env[name];
      return configError(service.load, env)?.message.includes(name) === true;
    });
    expect(required).toEqual(service.required);
  });

  it('refuses a malformed value of every variable, naming it and echoing no secret', () => {
    const accepting = variables.filter((name) => refused(service, name).length === 0);
    expect(accepting).toEqual(service.freeForm);
    for (const name of variables) {
      for (const value of refused(service, name)) {
        counts.inProcess++;
        const message = configError(service.load, { ...service.base, [name]: value })?.message ?? '';
        expect({ name, value, names: names(message, name), leaks: leaks(message) }).toEqual({ name, value, names: true, leaks: [] });
        if (looksSecret(name)) expect({ name, echoed: message.includes(value) }).toEqual({ name, echoed: false });
      }
    }
  });

  it('stops the process at once, exit 1, naming each malformed or missing variable, echoing no secret', async () => {
    const cases: { what: string; variables: string[]; env: Record<string, string> }[] = [];
    const malformed = variables.filter((name) => !service.freeForm.includes(name));
    for (const name of malformed) {
      const value = refused(service, name)[0] as string;
      cases.push({ what: `${name}=${value.slice(0, 40)}`, variables: [name], env: { ...service.base, [name]: value } });
    }
    for (const name of service.required) {
      const env = { ...service.base };
      delete env[name];
      cases.push({ what: `${name} unset`, variables: [name], env });
    }
    // Every variable wrong at once, with a password inside each value that may hold one.
    cases.push({ what: 'all malformed', variables: malformed, env: { ...service.base, ...Object.fromEntries(malformed.map((name) => [name, secretCase(service, name) as string])) } });
    const exits = await inBatches(cases, 3, async (c) => ({ ...c, exit: await runWithEnv(service.app, c.env) }));
    counts.processes += exits.length;
    for (const { what, variables: named, exit } of exits) {
      // Config is read before anything connects or listens: a bad value never waits on a network.
      const fast = exit.ms < 15_000;
      const unnamed = named.filter((name) => !names(exit.output, name));
      expect({ what, code: exit.code, fast, unnamed, invalid: exit.output.includes(`${service.app}: invalid configuration`), leaks: leaks(exit.output) }).toEqual({
        what, code: 1, fast: true, unnamed: [], invalid: true, leaks: [],
      });
    }
  }, 180_000);
});

describe('agent settings checked at start', () => {
  const agent = SERVICES.find((s) => s.app === 'agent') as Service;

  it('exits 1 naming AGENT_CACHE_DIR when the cache cannot be created', async () => {
    const exit = await runWithEnv('agent', { ...agent.base, AGENT_CACHE_DIR: '/dev/null/planekeeper-cache' });
    expect(exit.code).toBe(1);
    expect(exit.output).toContain('AGENT_CACHE_DIR /dev/null/planekeeper-cache cannot be created');
    expect(leaks(exit.output)).toEqual([]);
  }, 30_000);

  it('exits 1 naming AGENT_CONFIG for a malformed credentials file, quoting none of its secrets', async () => {
    const file = path.join(tmp, 'config.yaml');
    writeFileSync(file, `agent:\n  credentials:\n    registry:\n      type: registry_basic\n      username: bot\n      password: "hunter2-registry-password\n`);
    const exit = await runWithEnv('agent', { ...agent.base, AGENT_CONFIG: file });
    expect(exit.code).toBe(1);
    expect(exit.output).toMatch(new RegExp(`AGENT_CONFIG: ${file}: is not valid YAML: .* at line \\d+, column \\d+`));
    expect(leaks(exit.output)).toEqual([]);
  }, 30_000);
});

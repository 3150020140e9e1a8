import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { client, planekeeper, startCliWorld, type CliWorld } from './helpers/cli.ts';

let world: CliWorld;
beforeAll(async () => {
  world = await startCliWorld();
});
afterAll(() => world.stop());

interface ListedToken {
  id: string;
  name: string;
  maxUses: number;
  uses: number;
  expiresAt: string;
  revokedAt: string | null;
}

const listTokens = async (): Promise<ListedToken[]> => {
  const answer = await client(world.api.url, world.tenant.keys.admin).get('/api/v1/agent-enrollment-tokens?limit=500');
  expect(answer.status).toBe(200);
  return answer.body.items;
};
const lifetimeSeconds = (token: { createdAt: string; expiresAt: string }) => (Date.parse(token.expiresAt) - Date.parse(token.createdAt)) / 1000;

describe('planekeeper create enrollment-token', () => {
  it('makes a token, prints it once on a line of its own, and the API lists it without the token', async () => {
    const run = await planekeeper(['create', 'enrollment-token', '--name', 'site-west', '--max-uses', '3', '--expires', '1h'], world.env('admin'));
    expect(run.code).toBe(0);
    const [summary, token, extra] = run.stdout.split('\n');
    expect(summary).toMatch(/^enrollment token site-west created \(id [0-9a-f-]{36}, 3 uses, expires in (59m|1h)\)$/);
    expect(token).toMatch(/^\S{16,}$/);
    expect(extra).toBe('');
    expect(run.stderr).toBe('note: the token is shown only now: store it in a secret manager\n');

    const id = summary!.match(/id ([0-9a-f-]{36})/)![1];
    const listed = (await listTokens()).find((t) => t.id === id);
    expect(listed).toMatchObject({ name: 'site-west', maxUses: 3, uses: 0, revokedAt: null });
    expect(Math.abs(Date.parse(listed!.expiresAt) - (Date.now() + 3600_000))).toBeLessThan(60_000);
    const everything = JSON.stringify(await client(world.api.url, world.tenant.keys.admin).get('/api/v1/agent-enrollment-tokens'));
    expect(everything).not.toContain(token);
    expect(world.api.logs.join('')).not.toContain(token);
  });

  it('prints the whole answer as JSON, sending the capabilities and the lifetime asked for', async () => {
    const run = await planekeeper(['create', 'enrollment-token', '--name', 'site-east', '--expires', '30m', '--capabilities', 'gather, scrape', '-o', 'json'], world.env('admin'));
    expect(run.code).toBe(0);
    const created = JSON.parse(run.stdout);
    expect(created).toMatchObject({ id: expect.any(String), name: 'site-east', maxUses: 1, uses: 0, revokedAt: null, token: expect.any(String) });
    expect(lifetimeSeconds(created)).toBeGreaterThan(1795);
    expect(lifetimeSeconds(created)).toBeLessThanOrEqual(1800);
    expect(run.stderr).toBe('');
  });

  it('makes a one-use token valid for an hour when not told otherwise', async () => {
    const created = JSON.parse((await planekeeper(['create', 'enrollment-token', '--name', 'defaults', '-o', 'json'], world.env('admin'))).stdout);
    expect(created.maxUses).toBe(1);
    expect(lifetimeSeconds(created)).toBeGreaterThan(3595);
    expect(lifetimeSeconds(created)).toBeLessThanOrEqual(3600);
  });

  it('refuses a bad --expires or --max-uses before asking the API (exit 2), and creates nothing', async () => {
    const before = (await listTokens()).length;
    for (const args of [['--expires', '60'], ['--expires', 'soon'], ['--max-uses', '0'], ['--max-uses', 'two']]) {
      const run = await planekeeper(['create', 'enrollment-token', '--name', 'bad', ...args], world.env('admin'));
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^error: option '${args[0]} <[a-z]+>' argument '${args[1]}' is invalid\\. [^\\n]+\\n$`));
    }
    expect((await planekeeper(['create', 'enrollment-token'], world.env('admin'))).stderr).toBe("error: required option '--name <name>' not specified\n");
    expect((await listTokens()).length).toBe(before);
  });

  it('reports what the API refuses as one line: an unknown capability (exit 2), a key that is not an admin (exit 4)', async () => {
    const before = (await listTokens()).length;
    const bogus = await planekeeper(['create', 'enrollment-token', '--name', 'x', '--capabilities', 'mining'], world.env('admin'));
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/^error: validation_failed: [^\n]*capabilities[^\n]*\n$/);
    for (const role of ['member', 'viewer', 'agent'] as const) {
      const denied = await planekeeper(['create', 'enrollment-token', '--name', 'x'], world.env(role));
      expect(denied.code).toBe(4);
      expect(denied.stderr).toMatch(/^error: (forbidden|unauthorized): [^\n]+\n$/);
      expect(denied.stdout).toBe('');
    }
    expect((await listTokens()).length).toBe(before);
  });
});

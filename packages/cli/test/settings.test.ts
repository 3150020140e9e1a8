import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freshHome, planekeeper, startCliWorld, type CliRun, type CliWorld } from './helpers/cli.ts';

let world: CliWorld;
beforeAll(async () => {
  world = await startCliWorld();
});
afterAll(() => world.stop());

async function writeConfig(home: string, text: string, mode = 0o600): Promise<string> {
  await mkdir(join(home, '.config', 'planekeeper'), { recursive: true });
  const path = join(home, '.config', 'planekeeper', 'config.yaml');
  await writeFile(path, text, { mode });
  await chmod(path, mode);
  return path;
}

/** The environment of an operator whose home is `home` (the CLI looks in ~/.config/planekeeper). */
const homeEnv = (home: string, extra: Record<string, string> = {}) => ({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), ...extra });

const expectNoSecret = (run: CliRun, secret: string) => expect(run.stdout + run.stderr).not.toContain(secret);

/** A local HTTP server answering every request with `answer`; records the headers it was sent. */
async function fakeServer(answer: (res: ServerResponse) => void): Promise<{ url: string; seen: IncomingHttpHeaders[]; server: Server }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('settings: flags over environment over config file', () => {
  it('reads url and apiKey from ~/.config/planekeeper/config.yaml', async () => {
    const home = await freshHome();
    await writeConfig(home, `url: ${world.api.url}\napiKey: ${world.tenant.keys.viewer}\n`);
    expect(await planekeeper(['get', 'agents', '-o', 'json'], homeEnv(home))).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('warns when others may read the config file, and still works', async () => {
    const home = await freshHome();
    const path = await writeConfig(home, `url: ${world.api.url}\napiKey: ${world.tenant.keys.viewer}\n`, 0o644);
    const run = await planekeeper(['get', 'agents', '-o', 'json'], homeEnv(home));
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`warning: ${path} holds an API key but others may read it (mode 644): chmod 600 ${path}\n`);
    expectNoSecret(run, world.tenant.keys.viewer);
  });

  it('lets the environment override the file, and flags override the environment', async () => {
    const home = await freshHome();
    await writeConfig(home, `url: http://127.0.0.1:9\napiKey: pk_from_the_file_is_wrong\n`);
    const envOverFile = await planekeeper(['get', 'agents', '-o', 'json'], homeEnv(home, world.env('viewer')));
    expect(envOverFile.code).toBe(0);
    const flagsOverEnv = await planekeeper(['get', 'agents', '-o', 'json', '--url', world.api.url, '--api-key', world.tenant.keys.viewer], homeEnv(home, { PLANEKEEPER_URL: 'http://127.0.0.1:9', PLANEKEEPER_API_KEY: 'pk_wrong' }));
    expect(flagsOverEnv.code).toBe(0);
  });

  it('reads the file --config or PLANEKEEPER_CONFIG names, and exits 2 when it is missing', async () => {
    const home = await freshHome();
    const path = join(home, 'prod.yaml');
    await writeFile(path, `url: ${world.api.url}/api/v1/\napiKey: ${world.tenant.keys.viewer}\n`, { mode: 0o600 });
    expect((await planekeeper(['--config', path, 'get', 'agents'], homeEnv(home))).code).toBe(0);
    expect((await planekeeper(['get', 'agents'], homeEnv(home, { PLANEKEEPER_CONFIG: path }))).code).toBe(0);
    const missing = await planekeeper(['get', 'agents', '--config', join(home, 'nope.yaml')], homeEnv(home));
    expect(missing).toEqual({ code: 2, stdout: '', stderr: `error: cannot read config file ${join(home, 'nope.yaml')}: ENOENT\n` });
  });

  it('exits 2 naming what is wrong with a config file, never quoting the key', async () => {
    const home = await freshHome();
    const secret = 'pk_secret_in_a_broken_file';
    const path = await writeConfig(home, `url: ${world.api.url}\napiKey: [${secret}\n`);
    const broken = await planekeeper(['get', 'agents'], homeEnv(home));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(new RegExp(`^error: config file ${path} is not valid YAML \\(line \\d+, column \\d+\\)\\n$`));
    expectNoSecret(broken, secret);
    await writeConfig(home, `server: ${world.api.url}\n`);
    expect((await planekeeper(['get', 'agents'], homeEnv(home))).stderr).toBe(`error: config file ${path}: unknown setting "server" (known: url, apiKey)\n`);
  });

  it('exits 2 when the URL or key is missing or malformed, without echoing the key', async () => {
    const home = await freshHome();
    const noUrl = await planekeeper(['get', 'agents'], homeEnv(home, { PLANEKEEPER_API_KEY: 'pk_x' }));
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/^error: no server URL: set PLANEKEEPER_URL, put url in .*config\.yaml, or pass --url\n$/);
    const noKey = await planekeeper(['get', 'agents'], homeEnv(home, { PLANEKEEPER_URL: world.api.url }));
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/^error: no API key/);
    const ftp = await planekeeper(['get', 'agents'], homeEnv(home, { PLANEKEEPER_URL: 'ftp://example.com', PLANEKEEPER_API_KEY: 'pk_x' }));
    expect(ftp).toMatchObject({ code: 2, stderr: 'error: PLANEKEEPER_URL must be an http:// or https:// URL\n' });
    const spaced = await planekeeper(['get', 'agents'], homeEnv(home, { PLANEKEEPER_URL: world.api.url, PLANEKEEPER_API_KEY: 'pk_half of\u00e9a key' }));
    expect(spaced).toMatchObject({ code: 2, stderr: 'error: PLANEKEEPER_API_KEY is not an API key: it holds spaces or characters a key never has\n' });
    expectNoSecret(spaced, 'half of');
  });
});

describe('errors scripts can tell apart', () => {
  it('exits 4 with the API error as one line for an unknown key, which it never prints', async () => {
    const secret = 'pk_this_key_was_never_issued_0123456789';
    const run = await planekeeper(['get', 'agents'], { PLANEKEEPER_URL: world.api.url, PLANEKEEPER_API_KEY: secret });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^error: unauthorized: [^\n]+\n$/);
    expect(run.stdout).toBe('');
    expectNoSecret(run, secret);
    expect(world.api.logs.join('')).not.toContain(secret);
  });

  it('exits 1 when nothing answers at the URL', async () => {
    const { url, server } = await fakeServer((res) => res.end());
    await close(server);
    const run = await planekeeper(['get', 'agents'], { PLANEKEEPER_URL: url, PLANEKEEPER_API_KEY: 'pk_x' });
    expect(run).toEqual({ code: 1, stdout: '', stderr: `error: cannot reach ${url}: ECONNREFUSED\n` });
  });

  it('exits 1 with one line for a server error, in the envelope or not', async () => {
    const envelope = await fakeServer((res) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'internal', message: 'internal error', details: [] } }));
    });
    const html = await fakeServer((res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>\u001b[31mbad gateway</html>'));
    try {
      expect(await planekeeper(['get', 'tasks'], { PLANEKEEPER_URL: envelope.url, PLANEKEEPER_API_KEY: 'pk_x' })).toEqual({ code: 1, stdout: '', stderr: 'error: internal: internal error\n' });
      expect(await planekeeper(['get', 'tasks'], { PLANEKEEPER_URL: html.url, PLANEKEEPER_API_KEY: 'pk_x' })).toEqual({
        code: 1, stdout: '', stderr: `error: ${html.url} answered 502 with something that is not JSON: is it a Planekeeper API?\n`,
      });
    } finally {
      await close(envelope.server);
      await close(html.server);
    }
  });

  it('does not follow a redirect with the key: exits 2 and says where it pointed', async () => {
    const elsewhere = await fakeServer((res) => res.end('{}'));
    const redirecting = await fakeServer((res) => res.writeHead(301, { location: `${elsewhere.url}/api/v1/agents` }).end());
    try {
      const run = await planekeeper(['get', 'agents'], { PLANEKEEPER_URL: redirecting.url, PLANEKEEPER_API_KEY: 'pk_must_stay_home' });
      expect(run).toEqual({ code: 2, stdout: '', stderr: `error: ${redirecting.url} redirects (301 to ${elsewhere.url}/api/v1/agents): set the server URL to where the API answers\n` });
      expect(redirecting.seen.map((h) => h.authorization)).toEqual(['Bearer pk_must_stay_home']);
      expect(elsewhere.seen).toEqual([]);
    } finally {
      await close(elsewhere.server);
      await close(redirecting.server);
    }
  });
});

describe('usage and --help', () => {
  const commands = [
    [], ['get'], ['get', 'agents'], ['get', 'tasks'], ['get', 'alerts'], ['get', 'gather-jobs'], ['get', 'scrape-jobs'],
    ['describe'], ['describe', 'agent'], ['drain'], ['drain', 'agent'], ['uncordon'], ['uncordon', 'agent'],
    ['retry'], ['retry', 'task'], ['create'], ['create', 'enrollment-token'], ['create', 'api-key'],
    ['ack'], ['ack', 'alert'], ['unack'], ['unack', 'alert'],
  ];

  it.each(commands.map((path) => [path.join(' ') || '(none)', path] as const))('planekeeper %s --help exits 0 with its usage, no settings needed', async (_name, path) => {
    const run = await planekeeper([...path, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: planekeeper${path.map((p) => ` ${p}`).join('')}(\\|[a-z-]+)? `));
    expect(run.stderr).toBe('');
  });

  it('lists the exit codes in the top-level help', async () => {
    expect((await planekeeper(['--help'])).stdout).toMatch(/Exit codes:\n {2}0 {2}done\n {2}1 .*\n {2}2 .*\n {2}3 {2}not found\n {2}4 .*\n {2}5 /);
  });

  it('exits 2 for no command, an unknown command or an unknown flag', async () => {
    const none = await planekeeper([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: planekeeper');
    expect(await planekeeper(['get', 'nodes'])).toEqual({ code: 2, stdout: '', stderr: "error: unknown command 'nodes'\n" });
    expect((await planekeeper(['get', 'agents', '--colour'])).stderr).toBe("error: unknown option '--colour'\n");
    expect((await planekeeper(['get', 'agents', '-o', 'xml'])).code).toBe(2);
  });
});

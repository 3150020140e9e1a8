import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:net';
import { PROBE_REFUSED, runProbe } from '../src/diagnostics/probe.ts';
import { hostsOfTaskSpec, parseProbeAllowEntry, ProbeScope, type ProbeAllowEntry } from '../src/diagnostics/probe-scope.ts';
import { startSelfSignedServer, type SelfSignedServer } from './helpers/tls-server.ts';

let tls: SelfSignedServer;
let closedPort: number;
beforeAll(async () => {
  tls = await startSelfSignedServer('probe-target.test');
  // A port that was just free: nothing listens there once this server is closed.
  const spare: Server = createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  closedPort = (spare.address() as { port: number }).port;
  await new Promise<void>((resolve) => spare.close(() => resolve()));
});
afterAll(() => tls.close());

const allowAll = () => true;
const entries = (...texts: string[]) => texts.map((text) => parseProbeAllowEntry(text) as ProbeAllowEntry);

describe('runProbe', () => {
  it('resolves, connects and handshakes with an https target, reporting each step and the certificate', async () => {
    const report = await runProbe({ host: 'localhost', port: tls.port, tls: true }, allowAll);
    expect(report.outcome).toBe('succeeded');
    expect(report.steps.map((s) => [s.step, s.ok])).toEqual([['resolve', true], ['connect', true], ['tls', true]]);
    for (const step of report.steps) expect(step.ms).toBeGreaterThanOrEqual(0);
    expect(report.address).toMatch(new RegExp(`:${tls.port}$`));
    expect(report.certificate).toMatchObject({ subject: expect.stringContaining('CN=probe-target.test'), trusted: false, trustError: expect.stringMatching(/self.signed/i) });
    expect(Math.abs(Date.parse(report.certificate!.validTo) - tls.validTo.getTime())).toBeLessThan(1000);
  });

  it('stops at the step that fails and says why: a closed port, a name that does not resolve', async () => {
    const closed = await runProbe({ host: '127.0.0.1', port: closedPort, tls: false }, allowAll);
    expect(closed).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/^connect failed: .*ECONNREFUSED/) });
    expect(closed.steps.map((s) => [s.step, s.ok])).toEqual([['resolve', true], ['connect', false]]);
    const unknown = await runProbe({ host: 'no-such-host.invalid', port: 443, tls: true }, allowAll);
    expect(unknown).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/^resolve failed: .*(ENOTFOUND|EAI_AGAIN)/) });
  });

  it('refuses a target its scope does not allow, reaching nothing', async () => {
    const scope = new ProbeScope(['planekeeper.example.com'], entries('10.0.0.0/8'));
    const report = await runProbe({ host: '127.0.0.1', port: tls.port, tls: true }, (host) => scope.allows(host));
    expect(report).toEqual({ outcome: 'refused', steps: [], error: PROBE_REFUSED });
  });
});

describe('ProbeScope', () => {
  it('allows configured hosts, AGENT_PROBE_ALLOW hosts and ranges, and the hosts of tasks run; nothing else', () => {
    const scope = new ProbeScope(['planekeeper.example.com', 'git.corp.example'], entries('registry.corp.example', '10.1.0.0/16', 'fd00::/8'));
    scope.rememberTask({ sourceType: 'helm_repo', source: { repoUrl: 'https://charts.example.org/stable', chart: 'x' } });
    scope.rememberTask({ repoUrl: 'git@gitlab.corp.example:team/app.git', ref: 'main' });
    scope.rememberTask({ sourceType: 'github_release', source: { owner: 'a', repo: 'b' } });
    for (const host of ['planekeeper.example.com', 'GIT.corp.example', 'registry.corp.example', '10.1.200.3', 'fd00::1', 'charts.example.org', 'gitlab.corp.example', 'api.github.com']) {
      expect({ host, allowed: scope.allows(host) }).toEqual({ host, allowed: true });
    }
    for (const host of ['10.2.0.1', '127.0.0.1', '169.254.169.254', 'example.com', 'fe80::1', 'corp.example']) {
      expect({ host, allowed: scope.allows(host) }).toEqual({ host, allowed: false });
    }
  });

  it('reads the hosts of task specs, with default hosts for sources that name none', () => {
    expect(hostsOfTaskSpec({ sourceType: 'github_release', source: { owner: 'a', repo: 'b', baseUrl: 'https://ghe.corp/api/v3' } })).toEqual(['ghe.corp']);
    expect(hostsOfTaskSpec({ sourceType: 'endoflife', source: { product: 'node' } })).toEqual(['endoflife.date']);
  });

  it('refuses malformed AGENT_PROBE_ALLOW entries without quoting them', () => {
    expect(parseProbeAllowEntry('10.0.0.0/33')).toBe('has a prefix length out of range');
    expect(parseProbeAllowEntry('nonsense/8')).toMatch(/a range must be/);
    expect(parseProbeAllowEntry('https://user:secret@x.example/')).not.toContain('secret');
    expect(parseProbeAllowEntry('host.example:443')).toMatch(/no port/);
  });
});

import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { requireBinary } from '../../apps/agent/test/helpers/binaries.ts';
import { ALERT_RULES, alertRules, dashboardPanels, MONITORING, RULE_TESTS } from '../support/monitoring.ts';

// That every metric named here is exported is checked against the real services' /metrics in
// tests/e2e/fleet-operations.test.ts; this file checks the rules themselves.

const promtool = () => requireBinary('promtool', 'prometheus');
const run = (args: string[]) => execFileSync(promtool(), args, { cwd: MONITORING, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('infra/monitoring', () => {
  it('alert rules pass promtool check rules', () => {
    expect(run(['check', 'rules', ALERT_RULES])).toMatch(/SUCCESS: 12 rules found/);
  });

  it('every alert fires in the promtool unit tests, and they pass', () => {
    expect(run(['test', 'rules', RULE_TESTS])).toMatch(/SUCCESS/);
    const tests = readFileSync(RULE_TESTS, 'utf8');
    const fired = new Set([...tests.matchAll(/alertname: (\S+)\n\s+exp_alerts:\n\s+- exp_labels/g)].map((m) => m[1]));
    expect([...fired].sort()).toEqual(alertRules().map((r) => r.alert).sort());
  });

  it('the dashboard shows the fleet: agents table, tasks per agent, queue depth, success rate, duration histogram, agent CPU and memory', () => {
    const panels = dashboardPanels();
    const byTitle = new Map(panels.map((p) => [p.title, p]));
    expect(byTitle.get('Agents')?.type).toBe('table');
    expect(byTitle.get('Task duration')?.type).toBe('heatmap');
    for (const title of ['Tasks per agent', 'Queue depth', 'Task success rate', 'Agent CPU', 'Agent memory']) expect(byTitle.get(title)?.type).toBe('timeseries');
    for (const panel of panels) expect(panel.targets.length).toBeGreaterThan(0);
  });
});

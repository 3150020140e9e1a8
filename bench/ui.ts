// The web UI's figures (UI.md "Performance"): the size of its JavaScript, and how fast the real
// api on loopback gets the dashboard's data on screen in Debian's chromium, cold and on a route
// change with cached data.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { ensureUiBuilt, UI_DIST } from '../scripts/ui-build.ts';
import { startApp } from '../tests/support/app-process.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { makeBenchTenant } from './lib/fixtures.ts';
import { percentile, type Report } from './lib/report.ts';

const COLD_SAMPLES = 20;
const ROUTE_SAMPLES = 40;
const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
const gzipped = (file: string) => gzipSync(readFileSync(path.join(UI_DIST, file)), { level: 9 }).length;

/** First-load JS: the entry script and what index.html preloads; total: every chunk. */
function measureBundle(report: Report): void {
  const html = readFileSync(path.join(UI_DIST, 'index.html'), 'utf8');
  const firstLoad = [...html.matchAll(/(?:src|href)="\/ui\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  const assets = readdirSync(path.join(UI_DIST, 'assets'));
  const all = assets.filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`);
  const css = assets.filter((f) => f.endsWith('.css')).map((f) => `assets/${f}`);
  report.record('ui_first_load_js_kb_gzip', kb(firstLoad.reduce((sum, f) => sum + gzipped(f), 0)), 'kB');
  report.record('ui_total_js_kb_gzip', kb(all.reduce((sum, f) => sum + gzipped(f), 0)), 'kB');
  report.record('ui_css_kb_gzip', kb(css.reduce((sum, f) => sum + gzipped(f), 0)), 'kB');
}

export async function benchUi(cluster: BenchCluster, report: Report): Promise<void> {
  ensureUiBuilt();
  measureBundle(report);
  const database = await freshDatabase(cluster.adminUrl, 'ui');
  const tenant = await makeBenchTenant(database.handle.db);
  // A dashboard with something on it: 60 open alerts of every severity.
  await database.handle.db.insertInto('alerts').values(Array.from({ length: 60 }, (_, i) => ({
    organization_id: tenant.organizationId, alert_config_id: null, alert_config_name: `service ${i}`, status: 'open' as const,
    severity: (['moderate', 'high', 'critical'] as const)[i % 3]!, rule_type: 'majors_behind' as const, deployed_version: '1.0.0', latest_version: `${2 + (i % 3)}.0.0`, behind_by: 1 + (i % 3),
  }))).execute();
  const api = await startApp('api', { DATABASE_URL: database.url, API_RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn' });
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-sandbox', '--disable-dev-shm-usage'] });
    const login = await fetch(`${api.url}/api/v1/session`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: api.url, 'x-planekeeper-csrf': '1' }, body: JSON.stringify({ key: tenant.adminKey }),
    });
    const token = /pk_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
    if (!token) throw new Error(`could not log in: ${login.status}`);
    const cookie = { name: 'pk_session', value: token, url: api.url, httpOnly: true, sameSite: 'Strict' as const };

    // Cold: a new context each time (empty HTTP cache), from navigation to the data on screen.
    const cold: number[] = [];
    for (let i = 0; i < COLD_SAMPLES; i++) {
      const context = await browser.newContext();
      await context.addCookies([cookie]);
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`${api.url}/ui/`);
      await page.getByTestId('summary-tiles').waitFor();
      await page.getByRole('table', { name: 'The ten worst open alerts' }).waitFor();
      cold.push(performance.now() - started);
      await context.close();
    }
    report.record('ui_data_rendered_ms_p95', Math.round(percentile(cold, 95)), 'ms');
    report.record('ui_data_rendered_ms_p50', Math.round(percentile(cold, 50)), 'ms');

    // Route change with cached data: back and forth between the dashboard and the alert list.
    const context = await browser.newContext();
    await context.addCookies([cookie]);
    const page = await context.newPage();
    await page.goto(`${api.url}/ui/alerts`);
    await page.getByRole('table', { name: 'Alerts' }).waitFor();
    // Timed in the page, from the click to the first frame with the new screen's data (the
    // driver's own round trips are not the UI's time).
    const timeRouteChange = (link: string, heading: string, selector: string) => page.evaluate(`(async () => {
      const a = [...document.querySelectorAll('nav[aria-label="Main"] a')].find((e) => e.textContent === ${JSON.stringify(link)});
      const started = performance.now();
      a.click();
      await new Promise((resolve) => {
        const check = () => (document.querySelector('h1')?.textContent === ${JSON.stringify(heading)} && document.querySelector(${JSON.stringify(selector)}) ? resolve() : requestAnimationFrame(check));
        check();
      });
      return performance.now() - started;
    })()`) as Promise<number>;
    const changes: number[] = [];
    for (let i = 0; i < ROUTE_SAMPLES; i++) {
      changes.push(i % 2 === 0
        ? await timeRouteChange('Dashboard', 'Dashboard', '[data-testid="summary-tiles"] li')
        : await timeRouteChange('Alerts', 'Alerts', 'main table tbody tr'));
    }
    report.record('ui_route_change_ms_p95', Math.round(percentile(changes, 95)), 'ms');
    await context.close();
  } finally {
    await browser?.close();
    await api.stop();
    await database.drop();
  }
}

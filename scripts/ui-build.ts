// The web UI's build (apps/web/dist), made when missing or older than its sources: `pnpm start`
// and the browser tests call this, so nobody opens a UI older than the checkout.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_DIR = path.join(ROOT, 'apps/web');
export const UI_DIST = path.join(WEB_DIR, 'dist');

function newestMtime(target: string): number {
  const info = statSync(target);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, name)));
  return newest;
}

/** Whether apps/web/dist is missing or older than a source of the UI. */
export function uiBuildStale(): boolean {
  const index = path.join(UI_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((p) => path.join(WEB_DIR, p)).filter(existsSync);
  return sources.some((source) => newestMtime(source) > built);
}

/** Builds the UI when stale; returns whether it built. */
export function ensureUiBuilt(log: (line: string) => void = console.log): boolean {
  if (!uiBuildStale()) return false;
  log('building the web UI (apps/web)…');
  execFileSync(process.execPath, [path.join(WEB_DIR, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: WEB_DIR, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
  return true;
}

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextFunction, Request, Response } from 'express';

/** Where the built web UI is when UI_DIR is unset: apps/web/dist, from src/http or dist/http alike. */
export const DEFAULT_UI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/** UI.md's headers on every answer of the UI: nothing but our own scripts and styles, no framing. */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

async function isFile(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}

/**
 * Serves the built web UI at /ui/ (`/` redirects there): a file of the build when the path names
 * one, else index.html (the client's router takes the path). Hashed assets (under assets/) never
 * change and are cached for good, precompressed files (.br, .gz) are sent to a browser that takes
 * them; index.html is never stored, so a new build reaches everyone at the next load.
 */
export function serveUi(uiDir: string) {
  const root = path.resolve(uiDir);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/') return res.redirect(302, '/ui/');
    if (req.path === '/ui') return res.redirect(301, '/ui/');
    if (!req.path.startsWith('/ui/')) return next();
    try {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
      let relative: string;
      try {
        relative = decodeURIComponent(req.path.slice('/ui/'.length));
      } catch {
        relative = '';
      }
      const candidate = path.resolve(root, relative);
      const inside = candidate.startsWith(root + path.sep);
      const asset = inside && (await isFile(candidate));
      const file = asset ? candidate : path.join(root, 'index.html');
      if (!(await isFile(file))) {
        res.status(404).type('text/plain').send('The web UI is not built: run `pnpm --filter @planekeeper/web build` (pnpm start does it for you).\n');
        return;
      }
      const immutable = asset && relative.startsWith('assets/');
      if (!asset && relative.startsWith('assets/')) {
        // A hashed asset of another build: answering index.html in its place would confuse the browser.
        res.status(404).type('text/plain').send('not found\n');
        return;
      }
      res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-store');
      res.setHeader('Content-Type', TYPES[path.extname(file)] ?? 'application/octet-stream');
      res.setHeader('Vary', 'Accept-Encoding');
      const accepts = req.get('accept-encoding') ?? '';
      let body: Buffer | null = null;
      for (const [encoding, ext] of [['br', '.br'], ['gzip', '.gz']] as const) {
        if (!immutable || !new RegExp(`\\b${encoding}\\b`).test(accepts) || !(await isFile(file + ext))) continue;
        body = await readFile(file + ext);
        res.setHeader('Content-Encoding', encoding);
        break;
      }
      body ??= await readFile(file);
      res.setHeader('Content-Length', body.length);
      res.status(200).end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      next(error);
    }
  };
}

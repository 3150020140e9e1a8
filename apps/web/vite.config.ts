import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/** Writes .br and .gz beside every hashed asset: the api sends them as they are (ui-static.ts). */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'planekeeper-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const assets = path.join(outDir, 'assets');
      for (const name of readdirSync(assets)) {
        const file = path.join(assets, name);
        if (!/\.(js|css|svg)$/.test(name) || !statSync(file).isFile()) continue;
        const body = readFileSync(file);
        writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
      }
    },
  };
}

// `pnpm --filter @planekeeper/web dev`: Vite on :5173 with /api sent to a running api
// (PLANEKEEPER_API_URL, default the http://localhost:8080 of `pnpm start`). The Host header is kept,
// so the api's Origin check sees the page's own origin.
export default defineConfig({
  base: '/ui/',
  plugins: [react(), precompress()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022', modulePreload: { polyfill: false } },
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.PLANEKEEPER_API_URL ?? 'http://localhost:8080', changeOrigin: false } },
  },
});

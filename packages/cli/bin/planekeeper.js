#!/usr/bin/env node
// The `planekeeper` command. It runs the TypeScript sources directly (Node strips the types), so
// it works straight after `pnpm install`, with no build step.
if (!process.features.typescript) {
  process.stderr.write(`planekeeper needs Node.js 22.18 or newer (this is ${process.version})\n`);
  process.exit(2);
}
const { main } = await import('../src/main.ts');
await main();

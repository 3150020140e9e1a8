// Runs inside the network namespace made by startInPublicLookingNetwork (see netns.ts): starts the
// receivers there, then the command after `--`, forwarding signals to it and exiting with it.
// Plain Node (no workspace imports): it is started by `node` itself, outside jest.
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const [hitsFile, publicAddress, privatePort, ...rest] = process.argv.slice(2);
const command = rest.slice(rest.indexOf('--') + 1);
if (!hitsFile || !publicAddress || !privatePort || command.length === 0) {
  process.stderr.write('usage: netns-launcher.ts <hits file> <public address> <private port> -- <command...>\n');
  process.exit(2);
}

function hit(receiver: string, what: string, req?: IncomingMessage): void {
  appendFileSync(hitsFile as string, `${JSON.stringify({ receiver, what, method: req?.method, path: req?.url })}\n`);
}

// The public-looking receiver: answers, or redirects to the private one by address or by name.
const publicServer = createServer((req: IncomingMessage, res: ServerResponse) => {
  hit('public', 'request', req);
  const redirects: Record<string, string> = {
    '/redirect-loopback': `http://127.0.0.1:${privatePort}/stolen`,
    '/redirect-name': `http://internal.example.test:${privatePort}/stolen`,
    '/redirect-metadata': 'http://169.254.169.254/latest/meta-data/',
  };
  const location = redirects[(req.url ?? '/').split('?')[0] as string];
  req.resume();
  req.on('end', () => {
    if (location) res.writeHead(307, { location }).end();
    else res.writeHead(204).end();
  });
});
// The private receiver: anything reaching it, even a bare connection, is a failure of the test.
const privateServer = createServer((req: IncomingMessage, res: ServerResponse) => {
  hit('private', 'request', req);
  res.writeHead(204).end();
});
privateServer.on('connection', () => hit('private', 'connection'));

await Promise.all([
  new Promise<void>((resolve) => publicServer.listen(80, publicAddress, resolve)),
  new Promise<void>((resolve) => privateServer.listen(Number(privatePort), '127.0.0.1', resolve)),
]);

const child = spawn(command[0] as string, command.slice(1), { stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  publicServer.close();
  privateServer.close();
  process.exit(code ?? (signal ? 1 : 0));
});

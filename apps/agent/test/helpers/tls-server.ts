import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.ts';

/** An https server on 127.0.0.1 with a fresh self-signed certificate. */
export interface SelfSignedServer {
  server: Server;
  port: number;
  url: string;
  /** The certificate's common name, and when it expires. */
  commonName: string;
  validTo: Date;
  close(): Promise<void>;
}

/**
 * Makes a self-signed certificate (openssl, EC P-256, valid `days` days) for `commonName`,
 * 127.0.0.1 and localhost, and serves "ok" with it on a free port of 127.0.0.1.
 */
export async function startSelfSignedServer(commonName = 'probe-target.test', days = 30): Promise<SelfSignedServer> {
  const openssl = requireBinary('openssl', 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'pk-tls-'));
  try {
    execFileSync(openssl, [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', String(days),
      '-subj', `/CN=${commonName}/O=Planekeeper tests`, '-addext', `subjectAltName=DNS:${commonName},DNS:localhost,IP:127.0.0.1`,
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'pipe' });
    const key = readFileSync(join(dir, 'key.pem'));
    const cert = readFileSync(join(dir, 'cert.pem'));
    const notAfter = execFileSync(openssl, ['x509', '-noout', '-enddate', '-in', join(dir, 'cert.pem')], { encoding: 'utf8' }).trim().replace(/^notAfter=/, '');
    const server = createServer({ key, cert }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    return {
      server,
      port,
      url: `https://127.0.0.1:${port}`,
      commonName,
      validTo: new Date(notAfter),
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import { lookup } from 'node:dns/promises';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import type { ProbeReport, ProbeTarget } from '@planekeeper/domain';
import { errorCode } from '../task-error.ts';

/** What a refused probe says, word for word (operators and tests look for it). */
export const PROBE_REFUSED = "refused: not allowed by this agent's configuration";

type Step = ProbeReport['steps'][number];

const clip = (text: string, max = 1000) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function describeError(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return clip(code && !message.includes(code) ? `${code}: ${message}` : message);
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number } | { error: unknown; ms: number }> {
  const started = performance.now();
  try {
    const value = await run();
    return { value, ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { error, ms: Math.round((performance.now() - started) * 10) / 10 };
  }
}

function withTimeout<T>(ms: number, what: string, start: (settle: { resolve: (value: T) => void; reject: (error: Error) => void }) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cleanup: () => void = () => undefined;
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what} timed out after ${ms} ms`));
    }, ms);
    cleanup = start({
      resolve: (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      reject: (error) => {
        clearTimeout(timer);
        cleanup();
        reject(error);
      },
    });
  });
}

const nameOf = (fields: Record<string, string | string[] | undefined> | undefined) =>
  clip(Object.entries(fields ?? {}).map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : value}`).join(', ') || '(empty)');

function certificateOf(cert: PeerCertificate, trusted: boolean, trustError: string | undefined): NonNullable<ProbeReport['certificate']> {
  return {
    subject: nameOf(cert.subject as unknown as Record<string, string>),
    issuer: nameOf(cert.issuer as unknown as Record<string, string>),
    validFrom: new Date(cert.valid_from).toISOString(),
    validTo: new Date(cert.valid_to).toISOString(),
    trusted,
    ...(trustError ? { trustError: clip(trustError) } : {}),
  };
}

/**
 * Probes `target` step by step: resolve the host, connect to the first address, and for an https
 * target a TLS handshake (the certificate is reported whether or not the agent trusts it). Each
 * step's time; the first step that fails ends the probe and says why. `allowed` is asked first.
 */
export async function runProbe(target: ProbeTarget, allowed: (host: string) => boolean, options: { stepTimeoutMs?: number } = {}): Promise<ProbeReport> {
  if (!allowed(target.host)) return { outcome: 'refused', steps: [], error: PROBE_REFUSED };
  const timeoutMs = options.stepTimeoutMs ?? 10_000;
  const steps: Step[] = [];
  const failed = (step: Step['step'], ms: number, error: unknown): ProbeReport => {
    const message = describeError(error);
    steps.push({ step, ok: false, ms, error: message });
    return { outcome: 'failed', steps, error: `${step} failed: ${message}` };
  };

  const resolved = await timed(async () => {
    if (isIP(target.host)) return [{ address: target.host, family: isIP(target.host) }];
    return withTimeout<{ address: string; family: number }[]>(timeoutMs, 'resolve', ({ resolve, reject }) => {
      lookup(target.host, { all: true }).then(resolve, reject);
      return () => undefined;
    });
  });
  if ('error' in resolved) return failed('resolve', resolved.ms, resolved.error);
  const first = resolved.value[0];
  if (!first) return failed('resolve', resolved.ms, new Error('no address'));
  steps.push({ step: 'resolve', ok: true, ms: resolved.ms, detail: clip(resolved.value.map((a) => a.address).join(', ')) });

  const connected = await timed(() =>
    withTimeout<Socket>(timeoutMs, 'connect', ({ resolve, reject }) => {
      const socket = netConnect({ host: first.address, port: target.port });
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
      return () => socket.destroy();
    }),
  );
  if ('error' in connected) return failed('connect', connected.ms, connected.error);
  const socket = connected.value;
  const address = `${socket.remoteAddress?.includes(':') ? `[${socket.remoteAddress}]` : socket.remoteAddress}:${socket.remotePort}`;
  steps.push({ step: 'connect', ok: true, ms: connected.ms, detail: address });
  if (!target.tls) {
    socket.destroy();
    return { outcome: 'succeeded', steps, address };
  }

  const handshake = await timed(() =>
    withTimeout<{ cert: PeerCertificate; trusted: boolean; trustError: string | undefined; protocol: string | null }>(timeoutMs, 'TLS handshake', ({ resolve, reject }) => {
      // Not rejecting an untrusted certificate: what it is, and why it is not trusted, is the point.
      const tls = tlsConnect({ socket, ...(isIP(target.host) ? {} : { servername: target.host }), rejectUnauthorized: false });
      tls.once('secureConnect', () => {
        const trustError = tls.authorizationError === null || tls.authorizationError === undefined ? undefined : String(tls.authorizationError);
        resolve({ cert: tls.getPeerCertificate(), trusted: tls.authorized, trustError, protocol: tls.getProtocol() });
        tls.destroy();
      });
      tls.once('error', reject);
      return () => tls.destroy();
    }),
  );
  socket.destroy();
  if ('error' in handshake) return failed('tls', handshake.ms, handshake.error);
  const { cert, trusted, trustError, protocol } = handshake.value;
  steps.push({ step: 'tls', ok: true, ms: handshake.ms, detail: protocol ?? undefined });
  if (!cert || Object.keys(cert).length === 0) return { outcome: 'succeeded', steps, address };
  return { outcome: 'succeeded', steps, address, certificate: certificateOf(cert, trusted, trustError) };
}

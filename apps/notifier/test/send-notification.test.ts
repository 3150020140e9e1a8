import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createNotificationSender } from '../src/http/send-notification.ts';
import { startReceiver, type Receiver } from './helpers/receiver.ts';

let receiver: Receiver;
const send = createNotificationSender({ timeoutMs: 2000, allowPrivateTargets: true, userAgent: 'test-agent' });

beforeAll(async () => {
  receiver = await startReceiver((request) =>
    request.path.startsWith('/huge') ? { status: 500, body: 'x'.repeat(1024 * 1024) } : { status: 201, headers: { 'retry-after': '7' }, body: 'created' },
  );
});
afterAll(() => receiver.close());

describe('the notifier HTTP client', () => {
  it('POSTs the body with its headers and returns the answer', async () => {
    const outcome = await send({ url: `${receiver.url}/in`, headers: { 'content-type': 'application/json', 'x-extra': '1' }, body: '{"a":1}' });
    expect(outcome).toMatchObject({ kind: 'response', statusCode: 201, body: 'created', headers: expect.objectContaining({ 'retry-after': '7' }) });
    const request = receiver.requests.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', body: '{"a":1}' });
    expect(request.headers).toMatchObject({ 'content-type': 'application/json', 'x-extra': '1', 'user-agent': 'test-agent' });
  });

  it('keeps the status of an answer whose body is too large, without reading it all', async () => {
    const outcome = await send({ url: `${receiver.url}/huge/token`, headers: {}, body: '' });
    expect(outcome).toMatchObject({ kind: 'response', statusCode: 500, body: '' });
  });

  it('reports a network error without the secret part of the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const outcome = await send({ url: `http://127.0.0.1:${port}/services/SECRET-TOKEN`, headers: {}, body: '' });
    expect(outcome.kind).toBe('network_error');
    expect(outcome.kind === 'network_error' && outcome.error).toMatch(/ECONNREFUSED/);
    expect(JSON.stringify(outcome)).not.toContain('SECRET-TOKEN');
  });
});

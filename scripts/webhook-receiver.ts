// `pnpm webhook-receiver`: a tiny local endpoint for Planekeeper's generic webhooks. It prints every
// delivery and, with WEBHOOK_SECRET=whsec_..., checks its Standard Webhooks signature.
//   PORT=9000 WEBHOOK_SECRET=whsec_... pnpm webhook-receiver
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.PORT || 9000);
const secret = process.env.WEBHOOK_SECRET;

function signatureValid(id: string, timestamp: string, body: string, header: string): boolean {
  if (!secret) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return header.split(' ').some((part) => {
    const [version, value] = part.split(',');
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    const id = String(req.headers['webhook-id'] ?? '');
    const timestamp = String(req.headers['webhook-timestamp'] ?? '');
    const signature = String(req.headers['webhook-signature'] ?? '');
    let summary = body;
    try {
      const event = JSON.parse(body) as { type?: string; data?: { alert?: Record<string, unknown>; alertConfig?: { name?: string } } };
      const alert = event.data?.alert ?? {};
      summary = `${event.type} ${event.data?.alertConfig?.name ?? ''}: ${alert.severity ?? ''} deployed ${alert.deployedVersion ?? '?'} latest ${alert.latestVersion ?? '?'} (behind by ${alert.behindBy ?? '?'})`;
    } catch {
      // not JSON: print it as it came
    }
    const check = secret ? (signatureValid(id, timestamp, body, signature) ? 'signature ok' : 'SIGNATURE INVALID') : 'signature not checked (no WEBHOOK_SECRET)';
    console.log(`${new Date().toISOString()} ${req.method} ${req.url} webhook-id=${id} ${check}\n  ${summary}`);
    res.writeHead(204).end();
  });
}).listen(port, '127.0.0.1', () => console.log(`webhook receiver listening on http://127.0.0.1:${port}/`));

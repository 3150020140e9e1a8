import { errorEnvelopeSchema } from '@planekeeper/domain';
import fc from 'fast-check';
import type { z } from 'zod';
import type { RouteDefinition } from '../../apps/api/src/http/route.ts';

// Inputs a hostile or careless client sends: generated per route, with the route's own sample body
// as the seed of mutations so that most requests get past the first check and reach the handler.

/** One request thrown at a route. */
export interface FuzzRequest {
  /** Replaces the route's `:param`, already percent-encoded (or deliberately malformed). */
  param: string;
  /** The query string without `?`, already encoded (or deliberately malformed). */
  query: string;
  /** The body as sent, its content type (null: no header) and encoding header. */
  body: { text: string; contentType: string | null; contentEncoding?: string } | null;
  /** What the body is, for failure messages. */
  label: string;
}

/** Strings that broke parsers, databases and loggers before. */
const NASTY_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\ud83d', '\ud83d\udca5', '\u202e\u0644', '\ufeffname', '\r\n', '\t',
  '%00', '%', '../../etc/passwd', "'; DROP TABLE rules; --", '${jndi:ldap://x/a}', '<script>alert(1)</script>', 'null', 'NaN', '-1', '1e309',
  '__proto__', 'constructor', '0x10', '\\', '"', 'Ω≈ç√∫', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'پ', '\u0007\u001b[31m',
];

/** Characters of random text: any code point, lone surrogate halves, NUL and control characters. */
const textUnit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)) },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
);

/** A string a client could send: nasty constants, random unicode, or huge. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 4, arbitrary: fc.string({ unit: textUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map((n) => 'x'.repeat(n)) },
);

const nastyNumber = fc.oneof(
  fc.constantFrom(-1, 0, 0.5, -0, 2 ** 31, 2 ** 31 - 1, 2 ** 53, -(2 ** 53), 1e308, -1e308, 5e-324, 1e21),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Nested arrays and objects `depth` levels deep, as JSON text. */
export function deepJson(depth: number, kind: 'array' | 'object' = 'array'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A value of the wrong type, or of the right type with a nasty content. */
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: nastyString },
  { weight: 3, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom(null, [], {}, [null], { '': '' }, ['a', 1, true]) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: textUnit }) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 200 }).map((depth) => JSON.parse(deepJson(depth, 'object')) as unknown) },
);

/** Every path to a leaf or branch of `value`, for picking what to mutate. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const own = Object.keys(value).flatMap((key) => pathsOf((value as Record<string, unknown>)[key], [...prefix, key]));
  return [prefix, ...own].filter((path) => path.length > 0);
}

function setPath(value: unknown, path: string[], replacement: unknown, remove: boolean): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path.at(-1) as string;
  if (remove) delete node[last];
  else node[last] = replacement;
  return copy;
}

/** The sample with one to three fields replaced, removed, or an unknown field added. */
function mutatedSample(sample: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(sample);
  if (paths.length === 0) return fc.record({ extra: nastyValue });
  const mutation = fc.record({
    path: fc.constantFrom(...paths),
    how: fc.constantFrom('replace', 'replace', 'replace', 'remove', 'add'),
    value: nastyValue,
    key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'unknownField', ''), fc.string({ unit: textUnit, maxLength: 10 })),
  });
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => {
    let body = sample;
    for (const { path, how, value, key } of mutations) {
      try {
        body = how === 'add' ? setPath(body, [...path.slice(0, -1), key], value, false) : setPath(body, path, value, how === 'remove');
      } catch {
        // an earlier mutation replaced a parent of this path with a scalar: keep the body as it is
      }
    }
    return body;
  });
}

/** Bodies for a route with `sample` as the valid one; `limit` is the api's API_BODY_LIMIT_BYTES. */
export function bodyArbitrary(sample: unknown, limit: number): fc.Arbitrary<{ body: FuzzRequest['body']; label: string }> {
  const json = (value: unknown, label: string) => ({ body: { text: JSON.stringify(value) ?? 'null', contentType: 'application/json' }, label });
  const text = JSON.stringify(sample ?? {});
  return fc.oneof(
    { weight: 8, arbitrary: mutatedSample(sample ?? {}).map((value) => json(value, 'mutated sample')) },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4, stringUnit: textUnit }).map((value) => json(value, 'random JSON')) },
    { weight: 1, arbitrary: fc.constant(json(sample, 'the valid sample')) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.integer({ min: 0, max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut)),
        fc.constantFrom(`${text}}`, `${text},`, text.replaceAll('"', "'"), `\ufeff${text}`, 'NaN', 'undefined', '{"a":1,"a":2}', '{"__proto__":{"admin":true}}', '[', '"'),
        fc.string({ unit: textUnit, maxLength: 60 }),
      ).map((raw) => ({ body: { text: raw, contentType: 'application/json' }, label: 'malformed JSON' })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<'array' | 'object'>('array', 'object').map((kind) => ({
        body: { text: deepJson(10_000, kind), contentType: 'application/json' },
        label: `10,000 nested ${kind}s`,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 3 * limit }).map((extra) => ({
        body: { text: JSON.stringify({ ...(typeof sample === 'object' && sample !== null ? sample : {}), padding: 'p'.repeat(limit + extra) }), contentType: 'application/json' },
        label: 'oversize body',
      })),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(null, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16', 'application/json; charset=koi8-r', 'application/merge-patch+json', '*/*', 'application/json, text/plain', ';;;')
        .map((contentType) => ({ body: { text, contentType }, label: `content type ${String(contentType)}` })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'identity, gzip').map((contentEncoding) => ({
        body: { text, contentType: 'application/json', contentEncoding },
        label: `content-encoding ${contentEncoding} that is not`,
      })),
    },
  );
}

/** Percent-encodes any string, lone surrogates included (as the bytes a careless client sends). */
function encodeAny(value: string): string {
  return [...value]
    .map((char) => {
      const code = char.charCodeAt(0);
      // CESU-8 bytes of a lone surrogate: invalid UTF-8 once decoded.
      if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
      return encodeURIComponent(char);
    })
    .join('');
}

/** Path parameter values: the real id, random and uuid-shaped ids, garbage, malformed escapes, huge. */
export function paramArbitrary(realId: string | undefined): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: realId === undefined ? fc.uuid() : fc.constant(realId) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '00000000-0000-0000-0000-0000000000000', '{00000000-0000-0000-0000-000000000000}', '0', '-1', 'null', 'undefined', '..', '.') },
    { weight: 2, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%ED%A0%80', '%00', '%C0%AE%C0%AE', '..%2F..%2Fetc%2Fpasswd', '%FF%FE', 'a%2Fb') },
    { weight: 3, arbitrary: nastyString.filter((s) => s.length <= 2000).map(encodeAny) },
    { weight: 1, arbitrary: fc.integer({ min: 1000, max: 8000 }).map((n) => 'a'.repeat(n)) },
  ).filter((value) => value !== '');
}

function schemaKeys(schema: z.ZodType | undefined): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

// Query strings stay short enough that the whole request line fits Node's 16 KB header limit.
const shortNastyString = nastyString.filter((s) => s.length <= 200);

const badCursors = fc.oneof(
  fc.constantFrom('x', '!!!', 'e30', 'bnVsbA', '%00', 'a'.repeat(2000)),
  fc.record({ t: fc.oneof(shortNastyString, fc.constantFrom('2024-01-01\u0000', '1 2', 'Jan 1 200000', '2024-02-30T00:00:00Z', '294277-01-01', 'epoch', 'infinity')), i: fc.oneof(fc.uuid(), shortNastyString) })
    .map((position) => Buffer.from(JSON.stringify(position), 'utf8').toString('base64url')),
  fc.jsonValue({ maxDepth: 2 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null', 'utf8').toString('base64url')),
);

const queryValue = fc.oneof(
  { weight: 3, arbitrary: shortNastyString.map(encodeAny) },
  { weight: 3, arbitrary: nastyNumber.map((n) => encodeAny(String(n))) },
  { weight: 2, arbitrary: fc.constantFrom('1', '50', '500', '501', '0', '-1', '1e400', '0x10', '1.5', ' 5', '', 'true', 'false', 'open', 'pending') },
  { weight: 2, arbitrary: badCursors },
  { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%ED%A0%80') },
  { weight: 1, arbitrary: fc.uuid() },
);

/** Query strings: the route's own keys (from its schema) and others, repeated keys, bad values. */
export function queryArbitrary(route: RouteDefinition): fc.Arbitrary<string> {
  const keys = [...new Set([...schemaKeys(route.query), 'limit', 'cursor'])];
  const key = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.constantFrom('unknown', '__proto__', 'limit[]', 'a[b]', '', '%', 'constructor') });
  const pair = fc.tuple(key, queryValue, fc.integer({ min: 1, max: 3 })).map(([k, v, times]) => Array.from({ length: times }, () => `${k}=${v}`).join('&'));
  return fc.array(pair, { maxLength: 4 }).map((pairs) => pairs.join('&')).filter((query) => query.length <= 4000);
}

/** Sends `request` to the route; aborts after `timeoutMs` (a hang is a failure). */
export async function sendFuzz(base: string, route: RouteDefinition, key: string | null, request: FuzzRequest, timeoutMs = 15_000): Promise<{ status: number; contentType: string; text: string }> {
  const path = route.path.replace(/:\w+/, request.param);
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (request.body?.contentType) headers['content-type'] = request.body.contentType;
  if (request.body?.contentEncoding) headers['content-encoding'] = request.body.contentEncoding;
  const response = await fetch(`${base}${path}${request.query ? `?${request.query}` : ''}`, {
    method: route.method.toUpperCase(),
    headers,
    ...(request.body && route.method !== 'get' ? { body: request.body.text } : {}),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

/**
 * Why an answer is not acceptable, or null: never a 5xx; a 4xx is JSON in the error envelope with
 * a message that says something.
 */
export function answerProblem(answer: { status: number; contentType: string; text: string }): string | null {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status < 400) return null;
  if (!answer.contentType.startsWith('application/json')) return `answered ${answer.status} as ${answer.contentType}, not JSON: ${answer.text.slice(0, 200)}`;
  let body: unknown;
  try {
    body = JSON.parse(answer.text) as unknown;
  } catch {
    return `answered ${answer.status} with invalid JSON: ${answer.text.slice(0, 200)}`;
  }
  const envelope = errorEnvelopeSchema.safeParse(body);
  if (!envelope.success) return `answered ${answer.status} outside the error envelope: ${answer.text.slice(0, 300)}`;
  const { message } = envelope.data.error;
  if (message.trim().length < 8 || /^internal/i.test(message)) return `answered ${answer.status} with an unhelpful message: ${JSON.stringify(message)}`;
  return null;
}

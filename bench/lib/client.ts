/** A JSON call to the api with a key; throws on an unexpected status so a broken setup fails loudly. */
export async function callApi<T = unknown>(
  baseUrl: string,
  key: string,
  method: string,
  route: string,
  body?: unknown,
  expected: number[] = [200, 201, 202, 204],
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!expected.includes(response.status)) throw new Error(`${method} ${route} answered ${response.status}: ${text.slice(0, 500)}`);
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Polls `probe` every `everyMs` until it returns true, or throws after `timeoutMs` naming `what`. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

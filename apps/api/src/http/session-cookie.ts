import { forbidden } from '@planekeeper/domain';
import type { Request, Response } from 'express';

/** The web UI's session cookie (HttpOnly: no script reads it). */
export const SESSION_COOKIE = 'pk_session';
/** The header every unsafe request of the web UI carries: a cross-site form or image cannot set it. */
export const CSRF_HEADER = 'x-planekeeper-csrf';

/** The session token a request carries in its cookie, or null. */
export function presentedSessionToken(req: Request): string | null {
  const header = req.get('cookie');
  if (!header || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request checks for a request authenticated by cookie: an unsafe method needs the
 * CSRF header and an Origin that is the api's own (PUBLIC_URL's, or the Host the request reached).
 */
export function checkCookieRequest(req: Request, publicUrl: string | undefined): void {
  if (SAFE_METHODS.has(req.method)) return;
  if (!req.get(CSRF_HEADER)) throw forbidden(`a request with the session cookie that changes something needs the ${CSRF_HEADER} header`);
  const origin = req.get('origin');
  const allowed = new Set<string>();
  if (publicUrl) allowed.add(new URL(publicUrl).origin);
  const host = req.get('host');
  if (host) allowed.add(`${req.protocol}://${host}`);
  if (!origin || !allowed.has(origin)) throw forbidden('a request with the session cookie that changes something must come from the Planekeeper UI (Origin)');
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, Secure when the UI is reached over https. */
export function setSessionCookie(req: Request, res: Response, token: string, maxAgeSeconds: number, publicUrl: string | undefined): void {
  const secure = req.secure || publicUrl?.startsWith('https:') === true;
  const maxAge = Math.max(0, Math.round(maxAgeSeconds));
  res.append('Set-Cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`);
}

/** Clears the session cookie in the browser. */
export function clearSessionCookie(res: Response): void {
  res.append('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
}

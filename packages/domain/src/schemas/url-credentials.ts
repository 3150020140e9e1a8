/**
 * Credentials typed into a URL (`https://user:secret@host/`) would be stored in plain text and
 * shown to every role that reads the job. Planekeeper's credentials live in the agent's
 * config.yaml and are named by `credentialName`, so such URLs are refused at the door, and rows
 * stored before that was so are shown with the secret masked.
 */

// The authority's user information: what stands between `scheme://` and the first `@` before any path.
const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^@/?#]*)@/;

/**
 * Why `url` may not be stored, or null: a password (`user:secret@`) in any URL, or any user
 * information in an http(s) URL (`https://ghp_token@host/` is a token). An ssh URL's user name
 * (`ssh://git@host/`, `git@host:org/repo`) is an account, not a secret, and stays allowed.
 */
export function urlCredentialsProblem(url: string): string | null {
  const match = USERINFO.exec(url.trim());
  if (!match) return null;
  const scheme = match[1]!.toLowerCase();
  const userinfo = match[2]!;
  if (!userinfo.includes(':') && !scheme.startsWith('http')) return null;
  return 'must not contain credentials (user:password@ or token@): keep the secret in a credential of the agent\'s config.yaml and name it in credentialName';
}

/**
 * `url` with what {@link urlCredentialsProblem} refuses masked: `https://user:***@host/`,
 * `https://***@host/`. Other URLs come back as given.
 */
export function redactUrlCredentials(url: string): string;
export function redactUrlCredentials(url: string | null): string | null;
export function redactUrlCredentials(url: string | null): string | null {
  if (url === null || urlCredentialsProblem(url) === null) return url;
  return url.trim().replace(USERINFO, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon >= 0 ? `${scheme}${userinfo.slice(0, colon)}:***@` : `${scheme}***@`;
  });
}

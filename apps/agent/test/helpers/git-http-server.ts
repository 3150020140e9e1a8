import { spawn } from 'node:child_process';
import { basicCredentials, startLocalServer, type LocalServer } from './http-server.ts';

/** Repositories under `root` served over smart http by `git http-backend`, behind a PAT. */
export interface GitHttpServer extends LocalServer {
  /** Requests seen, e.g. `POST /repo/git-upload-pack`, the Authorization sent and the bytes answered. */
  requests: { method: string; path: string; status: number; bytes: number; authorization: string | undefined }[];
}

/**
 * Runs `git http-backend` as a CGI program per request. Every request needs basic auth whose
 * password is `token` (the user name is ignored, as GitHub does for PATs); a null token serves
 * the repositories to anyone, as a public host (or an attacker's) does.
 */
export async function startGitHttpServer(root: string, token: string | null): Promise<GitHttpServer> {
  const requests: GitHttpServer['requests'] = [];
  const local = await startLocalServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorization = req.headers.authorization;
    if (token !== null && basicCredentials(req)?.password !== token) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"', 'content-type': 'text/plain' });
      res.end('Unauthorized');
      requests.push({ method: req.method ?? 'GET', path: url.pathname, status: 401, bytes: 0, authorization });
      return;
    }
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: root,
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_USER: 'token-user',
        REMOTE_ADDR: '127.0.0.1',
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
      },
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    for await (const chunk of cgi.stdout) chunks.push(chunk as Buffer);
    const output = Buffer.concat(chunks);
    const split = output.indexOf('\r\n\r\n');
    const head = output.subarray(0, split).toString('latin1');
    const body = output.subarray(split + 4);
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'status') status = Number.parseInt(value, 10);
      else if (name !== '') headers[name] = value;
    }
    requests.push({ method: req.method ?? 'GET', path: url.pathname, status, bytes: body.length, authorization });
    res.writeHead(status, headers);
    res.end(body);
  });
  return Object.assign(local, { requests });
}

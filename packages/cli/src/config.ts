import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { CliError, EXIT } from './exit-codes.ts';

/** The environment variables the CLI reads; this file is its only reader of `process.env`. */
export interface CliEnvironment {
  /** Server URL, e.g. https://planekeeper.example.com (a trailing /api/v1 is accepted). */
  PLANEKEEPER_URL?: string;
  /** API key, pk_... */
  PLANEKEEPER_API_KEY?: string;
  /** Config file to read instead of the default one. */
  PLANEKEEPER_CONFIG?: string;
  /** Where the default config file lives: $XDG_CONFIG_HOME/planekeeper/config.yaml. */
  XDG_CONFIG_HOME?: string;
}

/** The variables above, read once by `main`. */
export function readEnvironment(): CliEnvironment {
  const { PLANEKEEPER_URL, PLANEKEEPER_API_KEY, PLANEKEEPER_CONFIG, XDG_CONFIG_HOME } = process.env;
  return { PLANEKEEPER_URL, PLANEKEEPER_API_KEY, PLANEKEEPER_CONFIG, XDG_CONFIG_HOME };
}

/** Where the server is and the key to use: flags override the environment, which overrides the file. */
export interface Settings {
  /** Origin and optional path prefix, without a trailing slash or /api/v1. */
  baseUrl: string;
  apiKey: string;
}

export interface SettingFlags {
  url?: string;
  apiKey?: string;
  config?: string;
}

interface FileSettings {
  url?: string;
  apiKey?: string;
}

const FILE_KEYS = new Set(['url', 'apiKey']);

function defaultConfigPath(env: CliEnvironment): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'planekeeper', 'config.yaml');
}

const usage = (message: string) => new CliError(message, EXIT.usage);

/**
 * Reads the config file: a YAML mapping of `url` and `apiKey`. A missing default file is no error
 * (the environment may say everything); a missing file the user named is. A file others may read
 * gets a warning, as ssh gives one: it holds a key.
 */
async function readConfigFile(path: string, named: boolean, warn: (line: string) => void): Promise<FileSettings> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.isFile() && (info.mode & 0o077) !== 0) {
      warn(`warning: ${path} holds an API key but others may read it (mode ${(info.mode & 0o777).toString(8)}): chmod 600 ${path}`);
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !named) return {};
    throw usage(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = load(text);
  } catch (error) {
    // js-yaml's message quotes the offending line, which may be the key: give only the position.
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    throw usage(`config file ${path} is not valid YAML${mark ? ` (line ${mark.line + 1}, column ${mark.column + 1})` : ''}`);
  }
  if (parsed === undefined || parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw usage(`config file ${path} must be a mapping with url and apiKey`);
  const settings: FileSettings = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!FILE_KEYS.has(key)) throw usage(`config file ${path}: unknown setting "${key}" (known: url, apiKey)`);
    if (typeof value !== 'string') throw usage(`config file ${path}: ${key} must be a string`);
    settings[key as keyof FileSettings] = value;
  }
  return settings;
}

/** The server URL as a base: http(s) only, no credentials in it, a trailing /api/v1 dropped. */
function normalizeBaseUrl(raw: string, from: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw usage(`${from} is not a URL: set it to the server's address, e.g. https://planekeeper.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usage(`${from} must be an http:// or https:// URL`);
  if (url.username || url.password) throw usage(`${from} must not hold a user or password: the API key is sent as a header`);
  if (url.search || url.hash) throw usage(`${from} must not have a query or fragment`);
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${url.origin}${path}`;
}

// Printable ASCII only: anything else cannot go in a header, and fetch's error would quote it.
const KEY_SHAPE = /^[\x21-\x7e]+$/;

/** Settings from flags, then the environment, then the config file. */
export async function resolveSettings(flags: SettingFlags, env: CliEnvironment, warn: (line: string) => void): Promise<Settings> {
  const namedPath = flags.config ?? env.PLANEKEEPER_CONFIG;
  const path = namedPath ?? defaultConfigPath(env);
  const file = await readConfigFile(path, namedPath !== undefined, warn);

  const url = flags.url ?? (env.PLANEKEEPER_URL || undefined) ?? file.url;
  const urlSource = flags.url !== undefined ? '--url' : env.PLANEKEEPER_URL ? 'PLANEKEEPER_URL' : `url in ${path}`;
  if (!url) throw usage(`no server URL: set PLANEKEEPER_URL, put url in ${path}, or pass --url`);

  const apiKey = (flags.apiKey ?? (env.PLANEKEEPER_API_KEY || undefined) ?? file.apiKey)?.trim();
  const keySource = flags.apiKey !== undefined ? '--api-key' : env.PLANEKEEPER_API_KEY ? 'PLANEKEEPER_API_KEY' : `apiKey in ${path}`;
  if (!apiKey) throw usage(`no API key: set PLANEKEEPER_API_KEY, put apiKey in ${path}, or pass --api-key`);
  if (!KEY_SHAPE.test(apiKey)) throw usage(`${keySource} is not an API key: it holds spaces or characters a key never has`);

  return { baseUrl: normalizeBaseUrl(url, urlSource), apiKey };
}

import { FAILSAFE_SCHEMA, load } from 'js-yaml';
import { requireDestination } from '../credential-scope.ts';
import { basicAuthOf, type Credential } from '../credentials.ts';
import { displayUrl } from '../display-url.ts';
import { basicAuthorization, fetchBounded } from '../http-body.ts';
import { TaskError } from '../task-error.ts';
import { describeYamlError } from '../yaml.ts';

/** Largest index.yaml read (big public repositories publish 20-30 MB). */
export const HELM_INDEX_MAX_BYTES = 64 * 1024 * 1024;

/** One version of a chart as its repository's index lists it. */
export interface HelmChartVersion {
  version: string;
  created: string | undefined;
  urls: string[];
}

/** One chart of an index and its versions. */
export interface HelmChart {
  name: string;
  versions: HelmChartVersion[];
}

/** Where a Helm repository keeps its index: `<repoUrl>/index.yaml`, as `helm repo add` reads it. */
export function helmIndexUrl(repoUrl: string): string {
  if (repoUrl.startsWith('oci://')) {
    throw new TaskError('oci:// Helm repositories have no index.yaml; gather the chart with an oci_registry job', { retryable: false });
  }
  if (/\/index\.ya?ml$/.test(repoUrl)) return repoUrl;
  return `${repoUrl.replace(/\/+$/, '')}/index.yaml`;
}

/**
 * Downloads a Helm repository's index.yaml as text, with basic auth from `credential` when the
 * credential's hosts allow the index's URL (a redirect to another origin drops it).
 */
export async function fetchHelmIndex(
  repoUrl: string,
  options: { credential?: Credential | undefined; signal?: AbortSignal; maxBytes?: number },
): Promise<{ url: string; text: string }> {
  const url = helmIndexUrl(repoUrl);
  if (options.credential !== undefined && basicAuthOf(options.credential) === undefined) {
    throw new TaskError(`a Helm repository needs a registry_basic or https_pat credential, not ${options.credential.type}`, { retryable: false });
  }
  if (options.credential !== undefined) requireDestination(options.credential.scope, url);
  const auth = basicAuthOf(options.credential);
  const response = await fetchBounded(url, {
    what: `the Helm repository index ${displayUrl(url)}`,
    maxBytes: options.maxBytes ?? HELM_INDEX_MAX_BYTES,
    headers: auth === undefined ? {} : { authorization: basicAuthorization(auth) },
    signal: options.signal,
  });
  const shown = displayUrl(url);
  if (response.status === 401 || response.status === 403) {
    const hint = auth === undefined ? 'set a registry_basic or https_pat credential on the job' : 'check the credential';
    throw new TaskError(`the Helm repository refused access to ${shown} (HTTP ${response.status}); ${hint}`, { retryable: false });
  }
  if (response.status === 404) throw new TaskError(`no Helm repository index at ${shown} (HTTP 404)`, { retryable: false });
  if (response.status === 429 || response.status >= 500) throw new TaskError(`the Helm repository answered HTTP ${response.status} for ${shown}`, { retryable: true });
  if (response.status !== 200) throw new TaskError(`the Helm repository answered HTTP ${response.status} for ${shown}`, { retryable: false });
  return { url: response.url, text: response.body.toString('utf8') };
}

const ENTRIES_LINE = /^entries:[ \t]*(#.*)?$/;
// A key at an indent of exactly two spaces inside `entries:` is a chart name.
const CHART_LINE = /^ {2}([^\s#-][^:]*|"[^"]*"|'[^']*'):(?=\s|$)(.*)$/;

/**
 * The charts of an index, one at a time. An index as Helm writes it is cut into one text slice
 * per chart and each slice parsed alone, so a 30 MB index never becomes one huge object graph
 * (parsing it whole costs ~10x its size in memory). Any other layout (JSON, unusual indents) is
 * parsed whole. `wanted` skips the parsing of other charts.
 */
export function* readHelmCharts(text: string, wanted?: (name: string) => boolean): Generator<HelmChart> {
  let current: { name: string; rest: string; from: number } | null = null;
  const emit = function* (to: number): Generator<HelmChart> {
    if (current === null || (wanted !== undefined && !wanted(current.name))) return;
    yield { name: current.name, versions: chartVersionsOf(current.name, current.rest, text.slice(current.from, to)) };
  };
  let foundEntries = false;
  let position = 0;
  // Lines are scanned in place: splitting a 64 MB text into an array would cost more than it holds.
  while (position < text.length) {
    const newline = text.indexOf('\n', position);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(position, end).trimEnd();
    if (!foundEntries) {
      foundEntries = ENTRIES_LINE.test(line);
    } else if (line.trim() !== '' && !line.trimStart().startsWith('#')) {
      if (!line.startsWith(' ') && !line.startsWith('-')) break;
      const match = CHART_LINE.exec(line);
      if (match !== null) {
        yield* emit(position);
        current = { name: unquote(match[1] as string), rest: match[2] ?? '', from: end + 1 };
      }
    }
    position = end + 1;
  }
  if (!foundEntries) {
    yield* readWholeIndex(text, wanted);
    return;
  }
  yield* emit(Math.min(position, text.length));
}

// A version as Helm writes it: a list item at the chart key's indent.
const VERSION_ITEM = /^ {2}-(?:[ \t]|$)/;

/**
 * The versions of one chart from its slice of the index (`rest`: what followed the chart's key on
 * its line). Helm writes each version as a list item at the key's indent: each item is parsed
 * alone and only its version, date and URLs kept, so a chart of 20,000 versions never becomes
 * 20,000 objects of every field at once (some 10x the text's size). A slice in any other shape
 * (a flow list, deeper items, an alias from one version to another) is parsed whole.
 */
function chartVersionsOf(name: string, rest: string, slice: string): HelmChartVersion[] {
  const first = /^[ \t]*[^\s#]/m.exec(slice);
  if (rest.trim() === '' && first !== null && VERSION_ITEM.test(slice.slice(first.index))) {
    try {
      const versions: HelmChartVersion[] = [];
      for (const item of versionItems(slice)) versions.push(...chartVersions(parseYaml(`chart:\n${item}`, `chart ${name}`), name));
      return versions;
    } catch {
      // Not items that stand alone: the whole slice says what is wrong, if anything.
    }
  }
  return chartVersions(parseYaml(`chart:${rest}\n${slice}`, `chart ${name}`), name);
}

/** The list items of a chart's slice, each with the lines below it, as text. */
function* versionItems(slice: string): Generator<string> {
  let start = -1;
  let position = 0;
  while (position < slice.length) {
    const newline = slice.indexOf('\n', position);
    const end = newline === -1 ? slice.length : newline;
    if (VERSION_ITEM.test(slice.slice(position, Math.min(end, position + 4)))) {
      if (start !== -1) yield slice.slice(start, position);
      start = position;
    }
    position = end + 1;
  }
  if (start !== -1) yield slice.slice(start);
}

function* readWholeIndex(text: string, wanted?: (name: string) => boolean): Generator<HelmChart> {
  const document = parseYaml(text, 'index');
  const entries = (document as { entries?: unknown } | null)?.entries;
  if (entries === undefined || entries === null || entries === '') return;
  if (typeof entries !== 'object' || Array.isArray(entries)) throw new TaskError('the Helm repository index has no entries map', { retryable: false });
  for (const [name, list] of Object.entries(entries)) {
    if (wanted === undefined || wanted(name)) yield { name, versions: chartVersions({ chart: list }, name) };
  }
}

function parseYaml(text: string, what: string): unknown {
  try {
    // Every scalar stays a string: a version such as 1.10 must not become the number 1.1.
    return load(text, { schema: FAILSAFE_SCHEMA, maxAliases: 1000 });
  } catch (error) {
    throw new TaskError(`the Helm repository index is not valid YAML (${what}): ${describeYamlError(error)}`, { retryable: false });
  }
}

function chartVersions(parsed: unknown, name: string): HelmChartVersion[] {
  const list = (parsed as { chart?: unknown } | null)?.chart;
  if (list === null || list === undefined || list === '') return [];
  if (!Array.isArray(list)) throw new TaskError(`the Helm repository index lists chart ${name} without a list of versions`, { retryable: false });
  const versions: HelmChartVersion[] = [];
  for (const item of list as unknown[]) {
    const entry = item as { version?: unknown; created?: unknown; urls?: unknown } | null;
    if (typeof entry?.version !== 'string' || entry.version === '') continue;
    const urls = Array.isArray(entry.urls) ? entry.urls.filter((u): u is string => typeof u === 'string') : [];
    versions.push({ version: entry.version, created: typeof entry.created === 'string' ? entry.created : undefined, urls });
  }
  return versions;
}

function unquote(key: string): string {
  if ((key.startsWith('"') && key.endsWith('"')) || (key.startsWith("'") && key.endsWith("'"))) {
    const value = load(key, { schema: FAILSAFE_SCHEMA });
    return typeof value === 'string' ? value : key.slice(1, -1);
  }
  return key.trim();
}

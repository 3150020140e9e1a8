import { isIP } from 'node:net';
import { parseHostPattern } from '../credential-scope.ts';

// A probe reaches into the customer's network from inside it. Whoever can call the api could ask
// for any address, so the agent probes only what its own configuration already sends it to (its
// server, its credentials' hosts, the hosts of the tasks it has run) and what its operator adds
// in AGENT_PROBE_ALLOW. Loaded at start: free of dependencies.

/** One entry of AGENT_PROBE_ALLOW: a host name (any port) or an IP range. */
export type ProbeAllowEntry = { kind: 'host'; text: string; hostname: string } | { kind: 'cidr'; text: string; family: 4 | 6; bits: bigint; prefix: number };

function ipBits(address: string): { family: 4 | 6; bits: bigint } | null {
  const family = isIP(address);
  if (family === 4) {
    return { family: 4, bits: address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n) };
  }
  if (family === 6) {
    let text = address.toLowerCase();
    // An IPv4 tail (::ffff:10.0.0.1) as two hextets.
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
      const n = ipBits(v4[1]!)!.bits;
      text = text.replace(v4[1]!, `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`);
    }
    const [head, tail] = text.split('::') as [string, string | undefined];
    const left = head === '' ? [] : head.split(':');
    const right = tail === undefined || tail === '' ? [] : tail.split(':');
    const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
    return { family: 6, bits: groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n) };
  }
  return null;
}

/** Parses one AGENT_PROBE_ALLOW entry; a string is the problem with it (never quoting it). */
export function parseProbeAllowEntry(text: string): ProbeAllowEntry | string {
  const slash = text.indexOf('/');
  if (slash !== -1 && !text.includes('://')) {
    const ip = ipBits(text.slice(0, slash));
    const prefix = Number(text.slice(slash + 1));
    if (ip === null) return 'a range must be an IP address, a slash and a prefix length (10.0.0.0/8, fd00::/8)';
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (ip.family === 4 ? 32 : 128)) return 'has a prefix length out of range';
    return { kind: 'cidr', text, family: ip.family, bits: ip.bits, prefix };
  }
  const pattern = parseHostPattern(text);
  if (typeof pattern === 'string') return pattern;
  if (pattern.prefix !== null || pattern.port !== null) return 'must be a host name, an IP address or a range (no port, no URL)';
  if (pattern.hostname.length > 253 || pattern.hostname.split('.').some((label) => label.length > 63)) return 'is not a host name';
  return { kind: 'host', text, hostname: pattern.hostname.replace(/^\[|\]$/g, '') };
}

function inRange(entry: Extract<ProbeAllowEntry, { kind: 'cidr' }>, address: string): boolean {
  const ip = ipBits(address);
  if (ip === null || ip.family !== entry.family) return false;
  const width = BigInt(entry.family === 4 ? 32 : 128);
  const shift = width - BigInt(entry.prefix);
  return ip.bits >> shift === entry.bits >> shift;
}

/** Most task hosts remembered: an agent runs the jobs of one organization, a bounded set. */
const MAX_TASK_HOSTS = 5000;

// Gather sources whose spec names no URL reach these by default.
const DEFAULT_SOURCE_HOSTS: Record<string, string[]> = {
  github_release: ['api.github.com', 'github.com'],
  github_tag: ['api.github.com', 'github.com'],
  gitlab_release: ['gitlab.com'],
  endoflife: ['endoflife.date'],
};

const SCP_LIKE = /^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):(?!\/\/)/;

/** Host names of every URL (and git's user@host:path) in a task spec, and its source's default hosts. */
export function hostsOfTaskSpec(spec: unknown): string[] {
  const hosts = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 6) return;
    if (typeof value === 'string') {
      const scp = SCP_LIKE.exec(value);
      if (scp) hosts.add(scp[1]!.toLowerCase());
      else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && URL.canParse(value)) {
        const hostname = new URL(value).hostname.toLowerCase().replace(/^\[|\]$/g, '');
        if (hostname !== '') hosts.add(hostname);
      }
    } else if (Array.isArray(value)) {
      for (const item of value.slice(0, 100)) visit(item, depth + 1);
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const defaults = typeof record.sourceType === 'string' ? DEFAULT_SOURCE_HOSTS[record.sourceType] : undefined;
      const source = record.source as Record<string, unknown> | undefined;
      if (defaults && !(source && typeof source.baseUrl === 'string')) for (const host of defaults) hosts.add(host);
      for (const item of Object.values(record).slice(0, 100)) visit(item, depth + 1);
    }
  };
  visit(spec, 0);
  return [...hosts];
}

/** What this agent may probe: see the comment at the top of this file. */
export class ProbeScope {
  readonly #configured: ProbeAllowEntry[];
  readonly #hosts = new Set<string>();
  readonly #taskHosts = new Set<string>();

  /** `hosts`: from the configuration (server, credentials' and GITHUB_TOKEN's hosts); `allow`: AGENT_PROBE_ALLOW. */
  constructor(hosts: Iterable<string>, allow: ProbeAllowEntry[]) {
    for (const host of hosts) this.#hosts.add(host.toLowerCase().replace(/^\[|\]$/g, ''));
    this.#configured = allow;
  }

  /** Remembers the hosts a task the agent runs reaches. */
  rememberTask(spec: unknown): void {
    for (const host of hostsOfTaskSpec(spec)) {
      if (this.#taskHosts.size >= MAX_TASK_HOSTS) return;
      this.#taskHosts.add(host);
    }
  }

  /** Whether `host` (a name or an IP address) may be probed. */
  allows(host: string): boolean {
    const normalized = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
    if (this.#hosts.has(normalized) || this.#taskHosts.has(normalized)) return true;
    return this.#configured.some((entry) => (entry.kind === 'host' ? entry.hostname === normalized : inRange(entry, normalized)));
  }

  /** For the effective configuration: what the configuration allows (task hosts grow as tasks run). */
  describe(): { configured: string[]; taskHosts: number } {
    return { configured: [...this.#hosts, ...this.#configured.map((entry) => entry.text)], taskHosts: this.#taskHosts.size };
  }
}

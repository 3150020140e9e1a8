import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** What an enrollment leaves in the state directory: the agent's own key and who it is. */
export interface StoredKey {
  key: string;
  agentId: string;
  name: string;
  /** The agent API it was enrolled with: a key is only good there. */
  serverUrl: string;
  enrolledAt: string;
  /** The task kinds the enrollment token allows; null: whatever the agent declares. */
  capabilities: string[] | null;
}

/** The file, in AGENT_STATE_DIR, that holds the enrolled key. */
export const STORED_KEY_FILE = 'agent-key.json';

/**
 * The key an earlier enrollment stored in `stateDir`: null when there is none, a string saying
 * what is wrong with the file otherwise (never quoting it: it holds a key).
 */
export function readStoredKey(stateDir: string): StoredKey | null | string {
  const path = join(stateDir, STORED_KEY_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    return `${path} cannot be read (${code ?? 'error'})`;
  }
  try {
    const value = JSON.parse(text) as Partial<StoredKey>;
    if (typeof value.key === 'string' && value.key.startsWith('pk_') && typeof value.agentId === 'string' && typeof value.name === 'string' && typeof value.serverUrl === 'string') {
      const capabilities = Array.isArray(value.capabilities) ? value.capabilities.filter((c): c is string => typeof c === 'string') : null;
      return { key: value.key, agentId: value.agentId, name: value.name, serverUrl: value.serverUrl, enrolledAt: String(value.enrolledAt ?? ''), capabilities };
    }
  } catch {
    // fall through
  }
  return `${path} is not a key this agent stored; remove it to enroll again`;
}

/**
 * Stores the enrolled key in `stateDir` (made 0700), as a file of mode 0600 written atomically:
 * a temporary file, flushed, then renamed over the old one, so a crash never leaves half a key.
 */
export function writeStoredKey(stateDir: string, stored: StoredKey): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, STORED_KEY_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(stored, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  // The rename is durable once the directory is flushed too.
  const dir = openSync(stateDir, 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

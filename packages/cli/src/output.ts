import { dump } from 'js-yaml';

/** How results are printed: `table` for people, `json` and `yaml` for scripts. */
export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Where a command writes; passed in so tests and `main` choose the streams. */
export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

// C0 and C1 controls, and the bidirectional overrides that can make text read as something else.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from the API (agent names, errors, versions) as one safe line for a terminal: names come
 * from agents and users, and an escape sequence in one must not drive the operator's terminal.
 */
export function safeText(value: unknown, max = Infinity): string {
  const text = String(value ?? '').replace(UNSAFE, '?');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Columns padded to their widest cell, three spaces apart, headers upper case (as kubectl). */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [headers.map((h) => h.toUpperCase()), ...rows.map((row) => row.map((cell) => safeText(cell)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('   ').trimEnd()).join('\n') + '\n';
}

/** A span as people read it in a table: `12s`, `3m`, `2h`, `5d`. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(Math.abs(ms) / 1000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** How long ago `iso` was (`3m`), or how far ahead (`in 3m`); `-` for none. */
export function formatAge(iso: string | null | undefined, now: Date): string {
  if (!iso) return '-';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return safeText(iso);
  const ms = now.getTime() - at;
  return ms < 0 ? `in ${formatDuration(ms)}` : formatDuration(ms);
}

/** A structured result as JSON or YAML, for scripts. */
export function renderData(data: unknown, format: Exclude<OutputFormat, 'table'>): string {
  // lineWidth -1: never fold long strings (a key folded over two lines is a broken key).
  return format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : dump(data, { noRefs: true, lineWidth: -1 });
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** `lastHeartbeatAt` -> `Last heartbeat at`. */
export function labelOf(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase().replace(/\bid\b/g, 'ID');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function scalar(value: unknown, now: Date): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' && ISO_TIMESTAMP.test(value)) {
    const age = formatAge(value, now);
    return `${age.startsWith('in ') ? age : `${age} ago`} (${value})`;
  }
  return safeText(value);
}

/**
 * Every field of an object as `Label:  value` lines, nested objects indented under their label,
 * as `kubectl describe` shows them: fields the CLI does not know (newer servers) still show.
 */
export function renderFields(fields: Record<string, unknown>, now: Date, indent = ''): string {
  const entries = Object.entries(fields);
  const width = Math.max(0, ...entries.map(([key]) => labelOf(key).length + 1));
  let text = '';
  for (const [key, value] of entries) {
    const label = `${labelOf(key)}:`.padEnd(width);
    if (Array.isArray(value) && value.some((item) => typeof item === 'object' && item !== null)) {
      text += `${indent}${labelOf(key)}:\n`;
      for (const item of value) {
        // Each object an item: its first line marked with `- `, the rest under it.
        const block = typeof item === 'object' && item !== null ? renderFields(item as Record<string, unknown>, now, `${indent}    `) : `${indent}    ${scalar(item, now)}\n`;
        text += `${indent}  - ${block.slice(indent.length + 4)}`;
      }
    } else if (Array.isArray(value)) {
      text += `${indent}${label}  ${value.length ? value.map((item) => scalar(item, now)).join(', ') : '-'}\n`;
    } else if (typeof value === 'object' && value !== null) {
      text += `${indent}${labelOf(key)}:\n${renderFields(value as Record<string, unknown>, now, `${indent}  `)}`;
    } else {
      text += `${indent}${label}  ${scalar(value, now)}\n`;
    }
  }
  return text;
}

const LEVEL_COLOURS: Record<string, string> = { trace: '90', debug: '90', info: '32', warn: '33', error: '31', fatal: '35' };
const SKIP = new Set(['level', 'time', 'msg', 'service', 'name', 'pid', 'hostname']);

/**
 * A pino JSON line as one readable line: time, level, message, then the other fields. Anything
 * that is not JSON is passed through as it is.
 */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || typeof entry.msg !== 'string') return line;
  const level = String(entry.level ?? 'info');
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
  const colour = process.stdout.isTTY ? LEVEL_COLOURS[level] : undefined;
  const shownLevel = colour ? `\u001b[${colour}m${level.padEnd(5)}\u001b[0m` : level.padEnd(5);
  const rest = Object.entries(entry)
    .filter(([key]) => !SKIP.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${time} ${shownLevel} ${entry.msg}${rest ? `  ${rest}` : ''}`;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * `90s`, `30m`, `1h`, `1h30m`, `7d`, `2w` as seconds; null for anything else (a bare number is
 * refused: seconds or hours is a guess the CLI should not make).
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (!/^(\d+[smhdw])+$/.test(trimmed)) return null;
  let seconds = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([smhdw])/g)) seconds += Number(amount) * (UNIT_SECONDS[unit!] ?? 0);
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : null;
}

/** "3 min ago", "in 2 h": a short relative time for tables. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const diff = Math.round((now - new Date(iso).getTime()) / 1000);
  const future = diff < 0;
  const s = Math.abs(diff);
  const text = s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min` : s < 86_400 ? `${Math.floor(s / 3600)} h` : `${Math.floor(s / 86_400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

/** Only http(s) URLs become links; anything else (javascript:, data:) is shown as text. */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The unit a rule's behind-by counts in. */
export function behindUnit(ruleType: string, n: number): string {
  const plural = n === 1 ? '' : 's';
  if (ruleType === 'days_behind') return `day${plural}`;
  if (ruleType === 'majors_behind') return `major${plural}`;
  if (ruleType === 'minors_behind') return `minor${plural}`;
  if (ruleType === 'libyear') return `year${plural}`;
  if (ruleType === 'eol') return `day${plural} left before end of life`;
  return `release${plural}`;
}

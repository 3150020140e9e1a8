import { ago, safeHref } from '../api/format.ts';
import { useNow } from './status.tsx';

const SEVERITY_ICON: Record<string, string> = { critical: '⬤', high: '▲', moderate: '◆' };

/** Severity as an icon and its word: never colour alone. */
export function Severity({ level }: { level: string | null | undefined }) {
  if (!level) return <span className="muted">none</span>;
  return (
    <span className={`severity severity-${level}`}>
      <span aria-hidden="true">{SEVERITY_ICON[level] ?? '•'}</span> {level}
    </span>
  );
}

/** A `<time>` with a relative text that moves, and the exact time as its title. */
export function When({ at }: { at: string | null | undefined }) {
  const now = useNow(15_000);
  if (!at) return <span className="muted">—</span>;
  return <time dateTime={at} title={new Date(at).toLocaleString()}>{ago(at, now)}</time>;
}

/** An upstream URL: a link only when it is http(s); otherwise its text, inert. */
export function ExternalLink({ url, children }: { url: string | null | undefined; children: string }) {
  const href = safeHref(url);
  if (!href) return <span>{children}</span>;
  return <a href={href} target="_blank" rel="noreferrer noopener">{children}</a>;
}

import { useId, type ReactNode } from 'react';

/** A select bound to one search parameter of the URL ('' = unset). */
export function FilterSelect({ label, value, options, onChange }: { label: string; value: string | undefined; options: readonly (readonly [string, string])[]; onChange: (value: string | undefined) => void }) {
  const id = useId();
  return (
    <span className="filter">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
        {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
    </span>
  );
}

/** A name search bound to `?q=`: applied on Enter or when the field loses focus. */
export function SearchBox({ value, onChange, label = 'Name contains' }: { value: string | undefined; onChange: (value: string | undefined) => void; label?: string }) {
  const id = useId();
  return (
    <form className="filter" role="search" onSubmit={(e) => { e.preventDefault(); onChange((new FormData(e.currentTarget).get('q') as string).trim() || undefined); }}>
      <label htmlFor={id}>{label}</label>
      <input id={id} name="q" type="search" defaultValue={value ?? ''} key={value ?? ''} maxLength={200} />
      <button type="submit">Search</button>
    </form>
  );
}

export function Filters({ children }: { children: ReactNode }) {
  return <div className="filters">{children}</div>;
}

/** Reads an optional string search parameter, keeping it only when it is one of `allowed`. */
export function pick<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

/** Reads an optional free-text search parameter (bounded). */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, 200) : undefined;
}

import { useState } from 'react';
import { Field } from './form.tsx';

export interface SkipRow {
  versions: string;
  reason: string;
}

/**
 * Releases to skip, as rows of versions (`2.5.0` or `>=3.0.0 <3.0.2`) and a reason; the api's
 * validation error of a row shows on that row's field (`skipVersions.N.versions`).
 */
export function SkipListEditor({ rows, onChange, error }: { rows: SkipRow[]; onChange: (rows: SkipRow[]) => void; error: unknown }) {
  const set = (index: number, patch: Partial<SkipRow>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <fieldset className="skip-list">
      <legend>Skipped releases</legend>
      {rows.length === 0 && <p className="muted">None: every gathered release counts.</p>}
      {rows.map((row, index) => (
        <div className="skip-row" key={index}>
          <Field label={`Versions to skip, row ${index + 1}`} path={`skipVersions.${index}.versions`} error={error} hint="2.5.0, or >=3.0.0 <3.0.2">
            {(p) => <input {...p} value={row.versions} maxLength={200} onChange={(e) => set(index, { versions: e.target.value })} />}
          </Field>
          <Field label={`Reason, row ${index + 1}`} path={`skipVersions.${index}.reason`} error={error}>
            {(p) => <input {...p} value={row.reason} maxLength={500} onChange={(e) => set(index, { reason: e.target.value })} />}
          </Field>
          <button type="button" onClick={() => onChange(rows.filter((_, i) => i !== index))}>Remove<span className="visually-hidden"> row {index + 1}</span></button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, { versions: '', reason: '' }])}>Add a skipped release</button>
    </fieldset>
  );
}

/** The rows as the api takes them: trimmed (an empty reason is allowed). */
export const skipBody = (rows: SkipRow[]) => rows.map((r) => ({ versions: r.versions.trim(), reason: r.reason.trim() }));

export function useSkipRows(initial: readonly SkipRow[] | undefined) {
  return useState<SkipRow[]>(() => (initial ?? []).map((r) => ({ ...r })));
}

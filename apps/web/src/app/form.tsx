import { useId, type ReactNode } from 'react';
import { fieldError } from './status.tsx';

/**
 * A labelled field whose validation error (from the api's `details[].path`, or checked here first)
 * is shown under it and tied to it by aria-describedby / aria-invalid.
 */
export function Field({ label, path, error, local, hint, children }: {
  label: string;
  path: string;
  error?: unknown;
  local?: string | undefined;
  hint?: string;
  children: (props: { id: string; name: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const message = local ?? fieldError(error, path);
  const describedBy = [message ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, name: path, ...(message ? { 'aria-invalid': true as const } : {}), ...(describedBy ? { 'aria-describedby': describedBy } : {}) })}
      {hint && <small id={`${id}-hint`} className="muted">{hint}</small>}
      {message && <span id={`${id}-error`} className="field-error">{message}</span>}
    </div>
  );
}

/** The value of a form field as a string ('' when absent). */
export const formText = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

/** A secret shown once (a new key, a webhook secret) with Copy; kept in component state only. */
export function ShownOnce({ label, value, onDone }: { label: string; value: string; onDone: () => void }) {
  return (
    <div className="secret" role="status">
      <p><strong>{label}</strong> — shown this once; copy it now.</p>
      <p><code data-testid="shown-once">{value}</code></p>
      <div className="actions">
        <button type="button" onClick={() => void navigator.clipboard.writeText(value)}>Copy</button>
        <button type="button" onClick={onDone}>Done</button>
      </div>
    </div>
  );
}

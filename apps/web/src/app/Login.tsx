import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, ApiError, unwrap } from '../api/client.ts';

/**
 * The key is read from the field, sent once to POST /session and dropped: the browser keeps only
 * the HttpOnly cookie. The page's URL is left as it was, so a deep link opens once logged in.
 */
export function Login() {
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fieldId = useId();
  const errorId = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const input = form.elements.namedItem('key') as HTMLInputElement;
    const key = input.value.trim();
    setBusy(true);
    setError(null);
    try {
      const me = await unwrap(api.POST('/api/v1/session', { body: { key } }));
      form.reset();
      // Another person's cached data must not show: drop everything but who is logged in now.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
      queryClient.setQueryData(['me'], me);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'could not log in');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="login">
      <h1>Planekeeper</h1>
      <p>Paste an API key (admin, member or viewer) to open the web UI. The key is not stored in this browser: it gets a session that ends after an hour idle, twelve hours at most, or when you log out.</p>
      <form onSubmit={submit} noValidate>
        <label htmlFor={fieldId}>API key</label>
        <input id={fieldId} name="key" type="password" autoComplete="off" spellCheck={false} required aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined} />
        {error && <p id={errorId} className="field-error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
      </form>
    </main>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { When } from '../app/bits.tsx';
import { Dialog } from '../app/Dialog.tsx';
import { Field, formText } from '../app/form.tsx';
import { ErrorMessage } from '../app/status.tsx';

type Snooze = NonNullable<Schemas['Alert']['snooze']>;

/** A datetime-local value (the browser's local time) as ISO 8601, or undefined when empty or invalid. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** Who snoozed, until when (or until the latest changes), and why. */
export function SnoozeFacts({ snooze }: { snooze: Snooze }) {
  return (
    <>
      <dt>Snoozed</dt>
      <dd data-testid="snooze">
        by <span className="actor">{snooze.snoozedBy}</span> <When at={snooze.snoozedAt} />,{' '}
        {snooze.untilLatestChanges
          ? <>until the latest version changes from <code>{snooze.latestVersion ?? '—'}</code></>
          : <>until <time dateTime={snooze.until ?? ''}>{snooze.until ? new Date(snooze.until).toLocaleString() : '—'}</time></>}
        {snooze.reason ? <>; reason: {snooze.reason}</> : '; no reason given'}
      </dd>
    </>
  );
}

function SnoozeForm({ alertId, onDone }: { alertId: string; onDone: (message: string) => void }) {
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<'until' | 'latest'>('until');
  const snooze = useMutation({
    mutationFn: (body: Schemas['AlertSnooze']) => unwrap(api.POST('/api/v1/alerts/{id}/snooze', { params: { path: { id: alertId } }, body })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['alerts'] });
      onDone('Alert snoozed: only its resolution is notified until the snooze ends.');
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const reason = formText(form, 'reason');
    const body: Schemas['AlertSnooze'] = mode === 'latest' ? { untilLatestChanges: true } : {};
    const until = mode === 'until' ? isoOf(formText(form, 'until')) : undefined;
    if (until) body.until = until;
    if (reason) body.reason = reason;
    snooze.mutate(body);
  }
  const validation = snooze.error && (snooze.error as { code?: string }).code === 'validation_failed';
  return (
    <form className="stacked" onSubmit={submit} noValidate aria-label="Snooze alert">
      <fieldset>
        <legend>Snooze until</legend>
        <label><input type="radio" name="mode" value="until" checked={mode === 'until'} onChange={() => setMode('until')} /> a date and time</label>
        <label><input type="radio" name="mode" value="latest" checked={mode === 'latest'} onChange={() => setMode('latest')} /> the latest version changes</label>
      </fieldset>
      {mode === 'until' && <Field label="Until (your local time)" path="until" error={snooze.error}>{(p) => <input {...p} type="datetime-local" />}</Field>}
      {mode === 'latest' && <Field label="Until the latest changes" path="untilLatestChanges" error={snooze.error}>{(p) => <output {...p}>the snooze ends when a newer release becomes the latest</output>}</Field>}
      <Field label="Reason (optional)" path="reason" error={snooze.error}>{(p) => <input {...p} maxLength={500} />}</Field>
      {snooze.error && !validation && <ErrorMessage error={snooze.error} />}
      <div className="actions">
        <button type="button" onClick={() => onDone('')}>Cancel</button>
        <button type="submit" disabled={snooze.isPending}>Snooze</button>
      </div>
    </form>
  );
}

/** Snooze and unsnooze buttons of an open alert, the dialog, and the result in a status region. */
export function SnoozeActions({ alert }: { alert: Schemas['Alert'] }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [result, setResult] = useState('');
  const unsnooze = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/alerts/{id}/unsnooze', { params: { path: { id: alert.id } } })),
    onSuccess: () => setResult('Snooze ended: its events are notified again.'),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['alerts'] }),
  });
  return (
    <>
      {alert.snooze
        ? <button type="button" onClick={() => unsnooze.mutate()} disabled={unsnooze.isPending}>Unsnooze</button>
        : <button type="button" onClick={() => { setResult(''); setOpen(true); }}>Snooze…</button>}
      <span role="status" className="muted">{result}</span>
      <ErrorMessage error={unsnooze.error} />
      <Dialog title="Snooze alert" open={open} onClose={() => setOpen(false)}>
        <SnoozeForm alertId={alert.id} onDone={(message) => { setOpen(false); if (message) setResult(message); }} />
      </Dialog>
    </>
  );
}

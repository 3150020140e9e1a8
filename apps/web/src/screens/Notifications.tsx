import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { When } from '../app/bits.tsx';
import { Field, formText, ShownOnce } from '../app/form.tsx';
import { ListView, useCursorList } from '../app/lists.tsx';
import { canWrite, useMe } from '../app/session.ts';
import { ErrorMessage } from '../app/status.tsx';

type Channel = Schemas['NotificationChannel'];
type NotificationRule = Schemas['NotificationRule'];
type Delivery = Schemas['Delivery'];

const EVENTS = ['created', 'escalated', 'acknowledged', 'unacknowledged', 'resolved'] as const;
const SEVERITIES = ['moderate', 'high', 'critical'] as const;

function Channels({ writer }: { writer: boolean }) {
  const queryClient = useQueryClient();
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [result, setResult] = useState('');
  const list = useCursorList<Channel>(['channels'], (cursor) => unwrap(api.GET('/api/v1/notification-channels', { params: { query: { cursor } } })));
  const create = useMutation({
    mutationFn: (body: Schemas['NotificationChannelCreate']) => unwrap(api.POST('/api/v1/notification-channels', { body })),
    onSuccess: (channel) => {
      if (channel.secret) setSecret({ name: channel.name, secret: channel.secret });
      setResult(`Created ${channel.name}.`);
      void queryClient.invalidateQueries({ queryKey: ['channels'] });
    },
  });
  const test = useMutation({
    mutationFn: (channel: Channel) => unwrap(api.POST('/api/v1/notification-channels/{id}/test', { params: { path: { id: channel.id } } })),
    onSuccess: (_d, channel) => setResult(`Test message queued for ${channel.name}: see Deliveries.`),
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({ name: formText(form, 'name'), type: formText(form, 'type') as Channel['type'], url: formText(form, 'url') });
  }
  return (
    <>
      <p role="status">{result}</p>
      {secret && <ShownOnce label={`Signing secret of ${secret.name}`} value={secret.secret} onDone={() => setSecret(null)} />}
      {writer && !secret && (
        <form className="stacked" onSubmit={submit} noValidate aria-label="New channel">
          <Field label="Name" path="name" error={create.error}>{(p) => <input {...p} maxLength={200} />}</Field>
          <Field label="Type" path="type" error={create.error}>{(p) => <select {...p} defaultValue="webhook"><option value="webhook">Webhook</option><option value="slack">Slack</option><option value="discord">Discord</option><option value="teams">Teams</option></select>}</Field>
          <Field label="URL" path="url" error={create.error} hint="Kept secret: never shown again">{(p) => <input {...p} type="url" />}</Field>
          {create.error && <ErrorMessage error={create.error} />}
          <div className="actions"><button type="submit" disabled={create.isPending}>Create channel</button></div>
        </form>
      )}
      <ErrorMessage error={test.error} />
      <ListView
        list={list}
        caption="Channels"
        empty={<p>No channels: add a webhook, Slack, Discord or Teams channel to be told about alerts.</p>}
        head={<tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Host</th><th scope="col">Enabled</th>{writer && <th scope="col"><span className="visually-hidden">Actions</span></th>}</tr>}
        row={(c) => (
          <tr key={c.id}>
            <td>{c.name}</td><td>{c.type}</td><td>{c.urlHost}</td><td>{c.enabled ? 'yes' : `no${c.disabledReason ? `: ${c.disabledReason}` : ''}`}</td>
            {writer && <td><button type="button" onClick={() => test.mutate(c)}>Send test<span className="visually-hidden"> to {c.name}</span></button></td>}
          </tr>
        )}
      />
    </>
  );
}

function Rules({ writer }: { writer: boolean }) {
  const queryClient = useQueryClient();
  const channels = useQuery({ queryKey: ['channels', 'all'], queryFn: () => unwrap(api.GET('/api/v1/notification-channels', { params: { query: { limit: 500 } } })) });
  const list = useCursorList<NotificationRule>(['notification-rules'], (cursor) => unwrap(api.GET('/api/v1/notification-rules', { params: { query: { cursor } } })));
  const create = useMutation({
    mutationFn: (body: Schemas['NotificationRuleCreate']) => unwrap(api.POST('/api/v1/notification-rules', { body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['notification-rules'] }),
  });
  const names = new Map(channels.data?.items.map((c) => [c.id, c.name]));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({
      name: formText(form, 'name'), channelId: formText(form, 'channelId'),
      events: form.getAll('events').map(String) as Schemas['NotificationRuleCreate']['events'],
      severities: form.getAll('severities').map(String) as Schemas['NotificationRuleCreate']['severities'],
    });
  }
  return (
    <>
      {writer && channels.data && channels.data.items.length > 0 && (
        <form className="stacked" onSubmit={submit} noValidate aria-label="New notification rule">
          <Field label="Name" path="name" error={create.error}>{(p) => <input {...p} maxLength={200} />}</Field>
          <Field label="Channel" path="channelId" error={create.error}>{(p) => <select {...p}>{channels.data.items.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}</select>}</Field>
          <fieldset><legend>Events</legend>{EVENTS.map((e) => <label key={e}><input type="checkbox" name="events" value={e} defaultChecked={e === 'created' || e === 'escalated'} /> {e} </label>)}</fieldset>
          <fieldset><legend>Severities</legend>{SEVERITIES.map((s) => <label key={s}><input type="checkbox" name="severities" value={s} defaultChecked /> {s} </label>)}</fieldset>
          {create.error && <ErrorMessage error={create.error} />}
          <div className="actions"><button type="submit" disabled={create.isPending}>Create rule</button></div>
        </form>
      )}
      <ListView
        list={list}
        caption="Notification rules"
        empty={<p>No notification rules: a rule sends chosen alert events of chosen severities to a channel.</p>}
        head={<tr><th scope="col">Name</th><th scope="col">Channel</th><th scope="col">Events</th><th scope="col">Severities</th><th scope="col">Enabled</th></tr>}
        row={(r) => <tr key={r.id}><td>{r.name}</td><td>{names.get(r.channelId) ?? r.channelId}</td><td>{r.events.join(', ')}</td><td>{r.severities.join(', ')}</td><td>{r.enabled ? 'yes' : 'no'}</td></tr>}
      />
    </>
  );
}

function Attempts({ id }: { id: string }) {
  const detail = useQuery({ queryKey: ['deliveries', 'one', id], queryFn: () => unwrap(api.GET('/api/v1/deliveries/{id}', { params: { path: { id } } })) });
  if (!detail.data) return <ErrorMessage error={detail.error} />;
  return (
    <ol>
      {detail.data.attemptHistory.map((a) => <li key={a.id}><When at={a.attemptedAt} />: {a.outcome}{a.statusCode ? ` (${a.statusCode})` : ''}, {a.latencyMs} ms{a.error ? <> — {a.error}</> : null}</li>)}
    </ol>
  );
}

function Deliveries({ writer, status }: { writer: boolean; status: 'failed' | 'dead' | undefined }) {
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | null>(null);
  const [result, setResult] = useState('');
  const list = useCursorList<Delivery>(['deliveries', status ?? 'all'], (cursor) => unwrap(api.GET('/api/v1/deliveries', { params: { query: { status, cursor } } })));
  const replay = useMutation({
    mutationFn: async (ids: string[]) => {
      for (const id of ids) await unwrap(api.POST('/api/v1/deliveries/{id}/replay', { params: { path: { id } } }));
      return ids.length;
    },
    onSuccess: (n) => setResult(`${n} deliver${n === 1 ? 'y' : 'ies'} sent again.`),
    onSettled: () => {
      setSelected(new Set());
      void queryClient.invalidateQueries({ queryKey: ['deliveries'] });
      void queryClient.invalidateQueries({ queryKey: ['summary'] });
    },
  });
  const replayable = (d: Delivery) => d.status === 'failed' || d.status === 'dead';
  return (
    <>
      <p role="status">{result}</p>
      <ErrorMessage error={replay.error} />
      {writer && <div className="bulk"><button type="button" disabled={selected.size === 0 || replay.isPending} onClick={() => replay.mutate([...selected])}>Replay selected ({selected.size})</button></div>}
      <ListView
        list={list}
        caption="Deliveries"
        empty={<p>{status === 'dead' ? 'No dead letters: every notification got through or is still being retried.' : status === 'failed' ? 'No failed deliveries.' : 'Nothing sent yet.'}</p>}
        head={<tr>{writer && <th scope="col"><span className="visually-hidden">Select</span></th>}<th scope="col">Delivery (webhook-id)</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">Created</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>}
        row={(d) => (
          <tr key={d.id}>
            {writer && <td><input type="checkbox" aria-label={`Select delivery ${d.id}`} disabled={!replayable(d)} checked={selected.has(d.id)} onChange={() => setSelected((prev) => { const next = new Set(prev); if (next.has(d.id)) next.delete(d.id); else next.add(d.id); return next; })} /></td>}
            <td><code>{d.id}</code>{d.kind === 'test' && ' (test)'}</td>
            <td>{d.status}</td><td>{d.attempts}</td><td>{d.lastError ?? (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : '—')}</td><td><When at={d.createdAt} /></td>
            <td className="actions">
              <button type="button" aria-expanded={open === d.id} onClick={() => setOpen(open === d.id ? null : d.id)}>Attempts<span className="visually-hidden"> of {d.id}</span></button>
              {writer && replayable(d) && <button type="button" onClick={() => replay.mutate([d.id])}>Replay<span className="visually-hidden"> {d.id}</span></button>}
              {open === d.id && <Attempts id={d.id} />}
            </td>
          </tr>
        )}
      />
    </>
  );
}

/** Notifications: channels, rules, deliveries (Failed and Dead-letter tabs, attempts, Replay). */
export function Notifications() {
  const search = useSearch({ from: '/notifications' });
  const me = useMe();
  const writer = canWrite(me.data);
  const tab = search.tab ?? 'channels';
  const tabs = [['channels', 'Channels'], ['rules', 'Rules'], ['deliveries', 'Deliveries'], ['failed', 'Failed'], ['dead', 'Dead letters']] as const;
  return (
    <>
      <div className="page-head"><h1>Notifications</h1></div>
      <nav className="tabs" aria-label="Notifications">
        {tabs.map(([value, label]) => <Link key={value} to="/notifications" search={{ tab: value }} aria-current={tab === value ? 'page' : undefined}>{label}</Link>)}
      </nav>
      {tab === 'channels' && <Channels writer={writer} />}
      {tab === 'rules' && <Rules writer={writer} />}
      {(tab === 'deliveries' || tab === 'failed' || tab === 'dead') && <Deliveries key={tab} writer={writer} status={tab === 'deliveries' ? undefined : tab} />}
    </>
  );
}

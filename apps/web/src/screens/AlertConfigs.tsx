import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { Severity } from '../app/bits.tsx';
import { Filters, SearchBox } from '../app/filters.tsx';
import { Field, formText } from '../app/form.tsx';
import { ListView, useCursorList } from '../app/lists.tsx';
import { canWrite, useMe } from '../app/session.ts';
import { ErrorMessage } from '../app/status.tsx';

type AlertConfig = Schemas['AlertConfig'];

/** The choices of the three selects: every job and rule by name. */
function useChoices() {
  return useQuery({
    queryKey: ['alert-configs', 'choices'],
    queryFn: async () => {
      const [gather, scrape, rules] = await Promise.all([
        unwrap(api.GET('/api/v1/gather-jobs', { params: { query: { limit: 500 } } })),
        unwrap(api.GET('/api/v1/scrape-jobs', { params: { query: { limit: 500 } } })),
        unwrap(api.GET('/api/v1/rules', { params: { query: { limit: 500 } } })),
      ]);
      return { gather: gather.items, scrape: scrape.items, rules: rules.items };
    },
  });
}

function ConfigForm({ onDone }: { onDone: (name: string) => void }) {
  const choices = useChoices();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (body: Schemas['AlertConfigCreate']) => unwrap(api.POST('/api/v1/alert-configs', { body })),
    onSuccess: (config) => {
      void queryClient.invalidateQueries({ queryKey: ['alert-configs'] });
      onDone(config.name);
    },
  });
  if (!choices.data) return <ErrorMessage error={choices.error} />;
  const { gather, scrape, rules } = choices.data;
  if (gather.length === 0 || scrape.length === 0 || rules.length === 0) {
    return <p>An alert config compares a gather job with a scrape job by a rule: create <Link to="/gather-jobs" search={{}}>a gather job</Link>, <Link to="/scrape-jobs" search={{}}>a scrape job</Link> and <Link to="/rules" search={{}}>a rule</Link> first.</p>;
  }
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({ name: formText(form, 'name'), gatherJobId: formText(form, 'gatherJobId'), scrapeJobId: formText(form, 'scrapeJobId'), ruleId: formText(form, 'ruleId'), enabled: form.get('enabled') === 'on' });
  }
  return (
    <form className="stacked" onSubmit={submit} noValidate aria-label="New alert config">
      <Field label="Name" path="name" error={create.error}>{(p) => <input {...p} maxLength={200} />}</Field>
      <Field label="Gather job (latest releases)" path="gatherJobId" error={create.error}>{(p) => <select {...p}>{gather.map((j) => <option key={j.id} value={j.id}>{j.name}</option>)}</select>}</Field>
      <Field label="Scrape job (deployed version)" path="scrapeJobId" error={create.error}>{(p) => <select {...p}>{scrape.map((j) => <option key={j.id} value={j.id}>{j.name}</option>)}</select>}</Field>
      <Field label="Rule" path="ruleId" error={create.error}>{(p) => <select {...p}>{rules.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}</select>}</Field>
      <label><input type="checkbox" name="enabled" defaultChecked /> Enabled</label>
      {create.error && <ErrorMessage error={create.error} />}
      <div className="actions"><button type="submit" disabled={create.isPending}>Create alert config</button></div>
    </form>
  );
}

function Evaluation({ config }: { config: AlertConfig }) {
  const evaluation = useQuery({ queryKey: ['evaluations', config.id], queryFn: () => unwrap(api.GET('/api/v1/evaluations/{alertConfigId}', { params: { path: { alertConfigId: config.id } } })).catch(() => null) });
  const open = useQuery({ queryKey: ['alerts', 'config', config.id], queryFn: () => unwrap(api.GET('/api/v1/alerts', { params: { query: { alertConfigId: config.id, status: 'open', limit: 1 } } })) });
  const e = evaluation.data;
  const alert = open.data?.items[0];
  return (
    <>
      <td>{e ? (e.status === 'unknown' ? <>unknown: {e.reason}</> : <><code>{e.deployedVersion}</code> → <code>{e.latestVersion}</code>, behind {e.behindBy}</>) : <span className="muted">not evaluated yet</span>}</td>
      <td>{alert ? <Link to="/alerts/$id" params={{ id: alert.id }}><Severity level={alert.severity} /></Link> : <span className="muted">none</span>}</td>
    </>
  );
}

/** Alert configs: a gather job, a scrape job and a rule; their latest evaluation and open alert. */
export function AlertConfigs() {
  const search = useSearch({ from: '/alert-configs' });
  const navigate = useNavigate({ from: '/alert-configs' });
  const me = useMe();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [result, setResult] = useState('');
  const list = useCursorList<AlertConfig>(['alert-configs', search], (cursor) => unwrap(api.GET('/api/v1/alert-configs', { params: { query: { q: search.q, cursor } } })));
  const toggle = useMutation({
    mutationFn: (config: AlertConfig) => unwrap(api.PATCH('/api/v1/alert-configs/{id}', { params: { path: { id: config.id } }, body: { enabled: !config.enabled } })),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['alert-configs'] }),
  });
  const writer = canWrite(me.data);
  return (
    <>
      <div className="page-head"><h1>Alert configs</h1></div>
      <p role="status">{result}</p>
      <Filters><SearchBox value={search.q} onChange={(q) => void navigate({ search: { q } })} /></Filters>
      {writer && !creating && <button type="button" onClick={() => setCreating(true)}>New alert config</button>}
      {creating && <ConfigForm onDone={(name) => { setCreating(false); setResult(`Created ${name}; it is evaluated at once.`); }} />}
      <ErrorMessage error={toggle.error} />
      <ListView
        list={list}
        caption="Alert configs"
        empty={<p>No alert configs{search.q ? ' match' : ' yet: create one to compare what is deployed with what is released'}.</p>}
        head={<tr><th scope="col">Name</th><th scope="col">Enabled</th><th scope="col">Latest evaluation</th><th scope="col">Open alert</th></tr>}
        row={(config) => (
          <tr key={config.id}>
            <td>{config.name}</td>
            <td>{writer ? <label><input type="checkbox" checked={config.enabled} onChange={() => toggle.mutate(config)} /> <span className="visually-hidden">Enable {config.name}</span>{config.enabled ? 'on' : 'off'}</label> : config.enabled ? 'on' : 'off'}</td>
            <Evaluation config={config} />
          </tr>
        )}
      />
    </>
  );
}

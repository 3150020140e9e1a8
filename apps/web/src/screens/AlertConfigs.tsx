import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { Severity } from '../app/bits.tsx';
import { Filters, SearchBox } from '../app/filters.tsx';
import { Field, formText } from '../app/form.tsx';
import { ListView, useCursorList } from '../app/lists.tsx';
import { canWrite, useMe } from '../app/session.ts';
import { skipBody, SkipListEditor, useSkipRows } from '../app/SkipList.tsx';
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

function ConfigForm({ config, onDone }: { config: AlertConfig | null; onDone: (message: string) => void }) {
  const choices = useChoices();
  const queryClient = useQueryClient();
  const [skips, setSkips] = useSkipRows(config?.skipVersions);
  const save = useMutation({
    mutationFn: (body: Schemas['AlertConfigCreate']) => config
      ? unwrap(api.PATCH('/api/v1/alert-configs/{id}', { params: { path: { id: config.id } }, body }))
      : unwrap(api.POST('/api/v1/alert-configs', { body })),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: ['alert-configs'] });
      void queryClient.invalidateQueries({ queryKey: ['evaluations'] });
      void queryClient.invalidateQueries({ queryKey: ['alerts'] });
      onDone(config ? `Saved ${saved.name}; it is evaluated again.` : `Created ${saved.name}; it is evaluated at once.`);
    },
  });
  if (!choices.data) return <ErrorMessage error={choices.error} />;
  const { gather, scrape, rules } = choices.data;
  if (gather.length === 0 || scrape.length === 0 || rules.length === 0) {
    return <p>An alert config compares a gather job with a scrape job by a rule: create <Link to="/gather-jobs" search={{}}>a gather job</Link>, <Link to="/scrape-jobs" search={{}}>a scrape job</Link> and <Link to="/rules" search={{}}>a rule</Link> first.</p>;
  }
  const cycles = gather.filter((j) => j.sourceType === 'endoflife');
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({
      name: formText(form, 'name'),
      gatherJobId: formText(form, 'gatherJobId'),
      scrapeJobId: formText(form, 'scrapeJobId'),
      ruleId: formText(form, 'ruleId'),
      enabled: form.get('enabled') === 'on',
      eolGatherJobId: formText(form, 'eolGatherJobId') || null,
      skipVersions: skipBody(skips),
    });
  }
  const validation = (save.error as { code?: string } | null)?.code === 'validation_failed';
  return (
    <form className="stacked" onSubmit={submit} noValidate aria-label={config ? `Edit ${config.name}` : 'New alert config'}>
      <Field label="Name" path="name" error={save.error}>{(p) => <input {...p} maxLength={200} defaultValue={config?.name} />}</Field>
      <Field label="Gather job (latest releases)" path="gatherJobId" error={save.error}>{(p) => <select {...p} defaultValue={config?.gatherJobId}>{gather.map((j) => <option key={j.id} value={j.id}>{j.name}</option>)}</select>}</Field>
      <Field label="Scrape job (deployed version)" path="scrapeJobId" error={save.error}>{(p) => <select {...p} defaultValue={config?.scrapeJobId}>{scrape.map((j) => <option key={j.id} value={j.id}>{j.name}</option>)}</select>}</Field>
      <Field label="Rule" path="ruleId" error={save.error}>{(p) => <select {...p} defaultValue={config?.ruleId}>{rules.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}</select>}</Field>
      <Field label="End of life from (endoflife gather job)" path="eolGatherJobId" error={save.error} hint={cycles.length === 0 ? 'No endoflife gather job yet: create one to see end-of-life dates.' : 'Its release cycles give the deployed version\'s end of life.'}>
        {(p) => <select {...p} defaultValue={config?.eolGatherJobId ?? ''}><option value="">None</option>{cycles.map((j) => <option key={j.id} value={j.id}>{j.name}</option>)}</select>}
      </Field>
      <SkipListEditor rows={skips} onChange={setSkips} error={save.error} />
      <label><input type="checkbox" name="enabled" defaultChecked={config?.enabled ?? true} /> Enabled</label>
      {save.error && !validation && <ErrorMessage error={save.error} />}
      {validation && <p className="error" role="alert">Some fields need a change: see the messages beside them.</p>}
      <div className="actions">
        <button type="button" onClick={() => onDone('')}>Cancel</button>
        <button type="submit" disabled={save.isPending}>{config ? 'Save alert config' : 'Create alert config'}</button>
      </div>
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
  const [editing, setEditing] = useState<AlertConfig | 'new' | null>(null);
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
      {writer && editing === null && <button type="button" onClick={() => setEditing('new')}>New alert config</button>}
      {editing !== null && <ConfigForm key={editing === 'new' ? 'new' : editing.id} config={editing === 'new' ? null : editing} onDone={(message) => { setEditing(null); if (message) setResult(message); }} />}
      <ErrorMessage error={toggle.error} />
      <ListView
        list={list}
        caption="Alert configs"
        empty={<p>No alert configs{search.q ? ' match' : ' yet: create one to compare what is deployed with what is released'}.</p>}
        head={<tr><th scope="col">Name</th><th scope="col">Enabled</th><th scope="col">Latest evaluation</th><th scope="col">Open alert</th><th scope="col">Skipped</th>{writer && <th scope="col"><span className="visually-hidden">Actions</span></th>}</tr>}
        row={(config) => (
          <tr key={config.id}>
            <td>{config.name}</td>
            <td>{writer ? <label><input type="checkbox" checked={config.enabled} onChange={() => toggle.mutate(config)} /> <span className="visually-hidden">Enable {config.name}</span>{config.enabled ? 'on' : 'off'}</label> : config.enabled ? 'on' : 'off'}</td>
            <Evaluation config={config} />
            <td>{config.skipVersions.length === 0 ? <span className="muted">none</span> : config.skipVersions.map((v, i) => <span key={i}>{i > 0 && ', '}<code>{v.versions}</code></span>)}</td>
            {writer && <td><button type="button" onClick={() => setEditing(config)}>Edit<span className="visually-hidden"> {config.name}</span></button></td>}
          </tr>
        )}
      />
    </>
  );
}

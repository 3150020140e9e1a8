import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { When } from '../app/bits.tsx';
import { Filters, SearchBox } from '../app/filters.tsx';
import { Field, formText } from '../app/form.tsx';
import { ListView, useCursorList } from '../app/lists.tsx';
import { LastTask, RunNow } from '../app/run-now.tsx';
import { canWrite, useMe } from '../app/session.ts';
import { ErrorMessage } from '../app/status.tsx';

type ScrapeJob = Schemas['ScrapeJob'];
type Parser = ScrapeJob['parser'];

const PARSERS: readonly (readonly [Parser, string])[] = [
  ['manual', 'Manual (you set the version)'], ['yq', 'YAML file in git (yq)'], ['jq', 'JSON file in git (jq)'], ['regex', 'Any file in git (regex)'],
  ['kubernetes', 'Kubernetes workloads (image tag)'], ['helm_release', 'Helm release in a cluster'],
];

export function describeTarget(job: ScrapeJob): string {
  if (job.parser === 'manual') return 'set by hand';
  if (job.kubernetes) return `${job.kubernetes.namespace}: ${job.kubernetes.selector}${job.kubernetes.container ? ` (${job.kubernetes.container})` : ''}`;
  if (job.helmRelease) return `${job.helmRelease.namespace}/${job.helmRelease.release}`;
  return `${job.repoUrl ?? ''} ${job.filePath ?? ''}${job.ref ? ` @ ${job.ref}` : ''}`;
}

function ScrapeForm({ onDone }: { onDone: (job: ScrapeJob) => void }) {
  const queryClient = useQueryClient();
  const [parser, setParser] = useState<Parser>('manual');
  const create = useMutation({
    mutationFn: (body: Schemas['ScrapeJobCreate']) => unwrap(api.POST('/api/v1/scrape-jobs', { body })),
    onSuccess: (job) => {
      void queryClient.invalidateQueries({ queryKey: ['scrape-jobs'] });
      onDone(job);
    },
  });
  const git = parser === 'yq' || parser === 'jq' || parser === 'regex';
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const optional = (name: string) => formText(form, name) || undefined;
    const body: Schemas['ScrapeJobCreate'] = { name: formText(form, 'name'), parser, schedule: optional('schedule'), credentialName: optional('credentialName') };
    if (git) Object.assign(body, { repoUrl: optional('repoUrl'), filePath: optional('filePath'), ref: optional('ref'), expression: optional('expression') });
    if (parser === 'kubernetes') {
      const kinds = form.getAll('kinds').map(String) as NonNullable<Schemas['KubernetesTarget']['kinds']>;
      body.kubernetes = { namespace: formText(form, 'namespace'), selector: formText(form, 'selector'), ...(optional('container') ? { container: optional('container') } : {}), ...(kinds.length ? { kinds } : {}) };
    }
    if (parser === 'helm_release') body.helmRelease = { namespace: formText(form, 'namespace'), release: formText(form, 'release') };
    create.mutate(body);
  }
  return (
    <form className="stacked" onSubmit={submit} noValidate aria-label="New scrape job">
      <Field label="Name" path="name" error={create.error}>{(p) => <input {...p} maxLength={200} />}</Field>
      <Field label="How the deployed version is read" path="parser" error={create.error}>
        {(p) => <select {...p} value={parser} onChange={(e) => setParser(e.target.value as Parser)}>{PARSERS.map(([v, t]) => <option key={v} value={v}>{t}</option>)}</select>}
      </Field>
      {git && (
        <>
          <Field label="Repository URL" path="repoUrl" error={create.error}>{(p) => <input {...p} />}</Field>
          <Field label="File path" path="filePath" error={create.error}>{(p) => <input {...p} />}</Field>
          <Field label="Ref (optional)" path="ref" error={create.error}>{(p) => <input {...p} />}</Field>
          <Field label="Expression" path="expression" error={create.error}>{(p) => <input {...p} />}</Field>
        </>
      )}
      {parser === 'kubernetes' && (
        <>
          <Field label="Namespace" path="kubernetes.namespace" error={create.error}>{(p) => <input {...p} name="namespace" />}</Field>
          <Field label="Label selector" path="kubernetes.selector" error={create.error}>{(p) => <input {...p} name="selector" placeholder="app=postgres" />}</Field>
          <Field label="Container (optional)" path="kubernetes.container" error={create.error}>{(p) => <input {...p} name="container" />}</Field>
          <fieldset><legend>Workload kinds (none = all)</legend>
            {['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'].map((k) => <label key={k}><input type="checkbox" name="kinds" value={k} /> {k} </label>)}
          </fieldset>
        </>
      )}
      {parser === 'helm_release' && (
        <>
          <Field label="Namespace" path="helmRelease.namespace" error={create.error}>{(p) => <input {...p} name="namespace" />}</Field>
          <Field label="Release" path="helmRelease.release" error={create.error}>{(p) => <input {...p} name="release" />}</Field>
        </>
      )}
      {parser !== 'manual' && (
        <>
          <Field label="Schedule (cron, UTC)" path="schedule" error={create.error}>{(p) => <input {...p} defaultValue="0 * * * *" />}</Field>
          <Field label="Agent credential (optional)" path="credentialName" error={create.error}>{(p) => <input {...p} />}</Field>
        </>
      )}
      {create.error && <ErrorMessage error={create.error} />}
      <div className="actions"><button type="submit" disabled={create.isPending}>Create scrape job</button></div>
    </form>
  );
}

/** Scrape jobs: where the deployed version is read; create; Run now. */
export function ScrapeJobs() {
  const search = useSearch({ from: '/scrape-jobs' });
  const navigate = useNavigate({ from: '/scrape-jobs' });
  const me = useMe();
  const [creating, setCreating] = useState(false);
  const [result, setResult] = useState('');
  const list = useCursorList<ScrapeJob>(['scrape-jobs', search], (cursor) => unwrap(api.GET('/api/v1/scrape-jobs', { params: { query: { q: search.q, cursor } } })));
  const writer = canWrite(me.data);
  return (
    <>
      <div className="page-head"><h1>Scrape jobs</h1></div>
      <p role="status">{result}</p>
      <Filters><SearchBox value={search.q} onChange={(q) => void navigate({ search: { q } })} /></Filters>
      {writer && !creating && <button type="button" onClick={() => setCreating(true)}>New scrape job</button>}
      {creating && <ScrapeForm onDone={(job) => { setCreating(false); setResult(`Created ${job.name}.`); }} />}
      <ListView
        list={list}
        caption="Scrape jobs"
        empty={<p>No scrape jobs{search.q ? ' match' : ': create one to say what version you run'}.</p>}
        head={<tr><th scope="col">Name</th><th scope="col">Reads</th><th scope="col">Where</th><th scope="col">Last run</th><th scope="col">Last task</th>{writer && <th scope="col"><span className="visually-hidden">Actions</span></th>}</tr>}
        row={(job) => (
          <tr key={job.id}>
            <td><Link to="/scrape-jobs/$id" params={{ id: job.id }}>{job.name}</Link>{!job.enabled && <span className="muted"> (disabled)</span>}</td>
            <td>{job.parser}</td><td>{describeTarget(job)}</td><td><When at={job.lastRunAt} /></td><td><LastTask task={job.lastTask} blockedReason={job.blockedReason} /></td>
            {writer && <td>{job.parser !== 'manual' && <RunNow path="/api/v1/scrape-jobs/{id}/run" id={job.id} label={job.name} />}</td>}
          </tr>
        )}
      />
    </>
  );
}

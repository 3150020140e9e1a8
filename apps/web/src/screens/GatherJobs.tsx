import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { When } from '../app/bits.tsx';
import { Filters, SearchBox } from '../app/filters.tsx';
import { skipBody, SkipListEditor, useSkipRows } from '../app/SkipList.tsx';
import { Field, formText } from '../app/form.tsx';
import { ListView, useCursorList } from '../app/lists.tsx';
import { LastTask, RunNow } from '../app/run-now.tsx';
import { canWrite, useMe } from '../app/session.ts';
import { ErrorMessage } from '../app/status.tsx';

type GatherJob = Schemas['GatherJob'];
type HelmSyncJob = Schemas['HelmSyncJob'];
type SourceType = GatherJob['sourceType'];

const SOURCES: readonly (readonly [SourceType, string])[] = [
  ['github_release', 'GitHub releases'], ['github_tag', 'GitHub tags'], ['gitlab_release', 'GitLab releases'],
  ['helm_repo', 'Helm repository chart'], ['oci_registry', 'OCI registry tags'], ['endoflife', 'endoflife.date product'],
];

/** The source fields of each kind (packages/domain gather job schemas). */
const SOURCE_FIELDS: Record<SourceType, readonly (readonly [string, string, boolean])[]> = {
  github_release: [['owner', 'Owner', true], ['repo', 'Repository', true], ['baseUrl', 'API base URL (GitHub Enterprise)', false]],
  github_tag: [['owner', 'Owner', true], ['repo', 'Repository', true], ['baseUrl', 'API base URL (GitHub Enterprise)', false]],
  gitlab_release: [['project', 'Project (id or group/path)', true], ['baseUrl', 'GitLab URL (self-managed)', false]],
  helm_repo: [['repoUrl', 'Repository URL', true], ['chart', 'Chart', true]],
  oci_registry: [['registryUrl', 'Registry URL', true], ['repository', 'Repository', true]],
  endoflife: [['product', 'Product', true], ['baseUrl', 'API base URL', false]],
};

export function describeSource(job: GatherJob): string {
  const s = job.source as Record<string, string | null | undefined>;
  if ('owner' in s) return `${s.owner}/${s.repo}`;
  if ('project' in s) return String(s.project);
  if ('chart' in s) return `${s.chart} @ ${s.repoUrl}`;
  if ('repository' in s) return `${s.registryUrl}/${s.repository}`;
  return String(s.product ?? '');
}

function GatherForm({ onDone }: { onDone: (job: GatherJob) => void }) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<SourceType>('github_release');
  const [skips, setSkips] = useSkipRows([]);
  const create = useMutation({
    mutationFn: (body: Schemas['GatherJobCreate']) => unwrap(api.POST('/api/v1/gather-jobs', { body })),
    onSuccess: (job) => {
      void queryClient.invalidateQueries({ queryKey: ['gather-jobs'] });
      onDone(job);
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const source: Record<string, string> = {};
    for (const [name] of SOURCE_FIELDS[kind]) if (formText(form, name)) source[name] = formText(form, name);
    const tagFilter = formText(form, 'tagFilter');
    create.mutate({ name: formText(form, 'name'), schedule: formText(form, 'schedule'), sourceType: kind, source, enabled: form.get('enabled') === 'on', ...(tagFilter ? { tagFilter } : {}), ...(skips.length > 0 ? { skipVersions: skipBody(skips) } : {}) } as Schemas['GatherJobCreate']);
  }
  return (
    <form className="stacked" onSubmit={submit} noValidate aria-label="New gather job">
      <Field label="Name" path="name" error={create.error}>{(p) => <input {...p} maxLength={200} />}</Field>
      <Field label="Source" path="sourceType" error={create.error}>
        {(p) => <select {...p} value={kind} onChange={(e) => setKind(e.target.value as SourceType)}>{SOURCES.map(([v, t]) => <option key={v} value={v}>{t}</option>)}</select>}
      </Field>
      {SOURCE_FIELDS[kind].map(([name, label, required]) => (
        <Field key={`${kind}-${name}`} label={required ? label : `${label} (optional)`} path={`source.${name}`} error={create.error}>{(p) => <input {...p} name={name} />}</Field>
      ))}
      <Field label="Schedule (cron, UTC)" path="schedule" error={create.error}>{(p) => <input {...p} defaultValue="0 */6 * * *" />}</Field>
      <Field label="Tag filter (regex, optional)" path="tagFilter" error={create.error}>{(p) => <input {...p} />}</Field>
      <SkipListEditor rows={skips} onChange={setSkips} error={create.error} />
      <label><input type="checkbox" name="enabled" defaultChecked /> Enabled (runs at once)</label>
      {create.error && <ErrorMessage error={create.error} />}
      <div className="actions"><button type="submit" disabled={create.isPending}>Create gather job</button></div>
    </form>
  );
}

function HelmSyncJobs() {
  const list = useCursorList<HelmSyncJob>(['helm-sync-jobs'], (cursor) => unwrap(api.GET('/api/v1/helm-sync-jobs', { params: { query: { cursor } } })));
  return (
    <ListView
      list={list}
      caption="Helm sync jobs"
      empty={<p>No Helm sync jobs: one reads a Helm repository's index and keeps a gather job per chart.</p>}
      head={<tr><th scope="col">Name</th><th scope="col">Repository</th><th scope="col">Schedule</th><th scope="col">Next run</th><th scope="col">Last task</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>}
      row={(job) => (
        <tr key={job.id}>
          <td>{job.name}</td><td>{job.repoUrl}</td><td><code>{job.schedule}</code></td><td><When at={job.nextRunAt} /></td>
          <td><LastTask task={job.lastTask} blockedReason={job.blockedReason} /></td><td><RunNow path="/api/v1/helm-sync-jobs/{id}/run" id={job.id} label={job.name} /></td>
        </tr>
      )}
    />
  );
}

/** Gather jobs (Helm sync as a tab): source, schedule, runs; create; Run now. */
export function GatherJobs() {
  const search = useSearch({ from: '/gather-jobs' });
  const navigate = useNavigate({ from: '/gather-jobs' });
  const me = useMe();
  const [creating, setCreating] = useState(false);
  const [result, setResult] = useState('');
  const list = useCursorList<GatherJob>(['gather-jobs', search], (cursor) => unwrap(api.GET('/api/v1/gather-jobs', { params: { query: { q: search.q, cursor } } })));
  const writer = canWrite(me.data);
  const tab = search.tab ?? 'gather';
  return (
    <>
      <div className="page-head"><h1>Gather jobs</h1></div>
      <nav className="tabs" aria-label="Job kinds">
        <Link to="/gather-jobs" search={{}} aria-current={tab === 'gather' ? 'page' : undefined}>Gather jobs</Link>
        <Link to="/gather-jobs" search={{ tab: 'helm' }} aria-current={tab === 'helm' ? 'page' : undefined}>Helm sync</Link>
      </nav>
      {tab === 'helm' ? <HelmSyncJobs /> : (
        <>
          <p role="status">{result}</p>
          <Filters><SearchBox value={search.q} onChange={(q) => void navigate({ search: { q } })} /></Filters>
          {writer && !creating && <button type="button" onClick={() => setCreating(true)}>New gather job</button>}
          {creating && <GatherForm onDone={(job) => { setCreating(false); setResult(`Created ${job.name}.`); }} />}
          <ListView
            list={list}
            caption="Gather jobs"
            empty={<p>No gather jobs{search.q ? ' match' : ': create one to follow an upstream project\'s releases'}.</p>}
            head={<tr><th scope="col">Name</th><th scope="col">Source</th><th scope="col">Schedule</th><th scope="col">Next run</th><th scope="col">Last run</th><th scope="col">Last task</th>{writer && <th scope="col"><span className="visually-hidden">Actions</span></th>}</tr>}
            row={(job) => (
              <tr key={job.id}>
                <td><Link to="/gather-jobs/$id" params={{ id: job.id }}>{job.name}</Link>{!job.enabled && <span className="muted"> (disabled)</span>}</td>
                <td>{SOURCES.find(([v]) => v === job.sourceType)?.[1]}: {describeSource(job)}</td>
                <td><code>{job.schedule}</code></td><td><When at={job.nextRunAt} /></td><td><When at={job.lastRunAt} /></td>
                <td><LastTask task={job.lastTask} blockedReason={job.blockedReason} /></td>
                {writer && <td><RunNow path="/api/v1/gather-jobs/{id}/run" id={job.id} label={job.name} /></td>}
              </tr>
            )}
          />
        </>
      )}
    </>
  );
}

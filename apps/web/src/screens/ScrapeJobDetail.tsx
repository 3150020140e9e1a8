import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useId, useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { When } from '../app/bits.tsx';
import { Field, formText } from '../app/form.tsx';
import { ListView, useCursorList } from '../app/lists.tsx';
import { LastTask, RunNow } from '../app/run-now.tsx';
import { canWrite, useMe } from '../app/session.ts';
import { ErrorMessage, Updated } from '../app/status.tsx';
import { describeTarget } from './ScrapeJobs.tsx';

type Snapshot = Schemas['VersionSnapshot'];

/** Releases of the gather jobs this scrape job is compared with: what "Set version" suggests. */
function useSuggestions(scrapeJobId: string) {
  return useQuery({
    queryKey: ['releases', 'suggest', scrapeJobId],
    queryFn: async () => {
      const configs = await unwrap(api.GET('/api/v1/alert-configs', { params: { query: { scrapeJobId, limit: 50 } } }));
      const gatherIds = [...new Set(configs.items.map((c) => c.gatherJobId))];
      const pages = await Promise.all(gatherIds.map((id) => unwrap(api.GET('/api/v1/gather-jobs/{id}/releases', { params: { path: { id }, query: { limit: 50 } } }))));
      return [...new Set(pages.flatMap((p) => p.items.map((r) => r.tag)))];
    },
  });
}

function SetVersion({ jobId }: { jobId: string }) {
  const queryClient = useQueryClient();
  const suggestions = useSuggestions(jobId);
  const listId = useId();
  const [done, setDone] = useState('');
  const set = useMutation({
    mutationFn: (version: string) => unwrap(api.PUT('/api/v1/scrape-jobs/{id}/version', { params: { path: { id: jobId } }, body: { version } })),
    onSuccess: (snapshot) => {
      setDone(`Deployed version set to ${snapshot.version}; its alert configs re-evaluate.`);
      for (const key of ['snapshots', 'alerts', 'summary', 'evaluations']) void queryClient.invalidateQueries({ queryKey: [key] });
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    set.mutate(formText(new FormData(event.currentTarget), 'version'));
  }
  return (
    <form className="stacked" onSubmit={submit} noValidate aria-label="Set version">
      <Field label="Deployed version" path="version" error={set.error} hint="As deployed, e.g. v1.2.0; the releases of the linked gather jobs are suggested">
        {(p) => <input {...p} list={listId} autoComplete="off" />}
      </Field>
      <datalist id={listId}>{suggestions.data?.map((tag) => <option key={tag} value={tag} />)}</datalist>
      {set.error && <ErrorMessage error={set.error} />}
      <p role="status">{done}</p>
      <div className="actions"><button type="submit" disabled={set.isPending}>Set version</button></div>
    </form>
  );
}

/** One scrape job: the versions it found (timeline), Set version for manual jobs, Run now for the others. */
export function ScrapeJobDetail() {
  const { id } = useParams({ from: '/scrape-jobs/$id' });
  const me = useMe();
  const job = useQuery({ queryKey: ['scrape-jobs', 'one', id], queryFn: () => unwrap(api.GET('/api/v1/scrape-jobs/{id}', { params: { path: { id } } })) });
  const snapshots = useCursorList<Snapshot>(['snapshots', id, 'list'], (cursor) => unwrap(api.GET('/api/v1/scrape-jobs/{id}/snapshots', { params: { path: { id }, query: { cursor } } })));
  if (!job.data) return job.isPending ? <p role="status">Loading…</p> : <><h1>Scrape job</h1><ErrorMessage error={job.error} /></>;
  const j = job.data;
  const writer = canWrite(me.data);
  return (
    <>
      <div className="page-head"><h1>{j.name}</h1><Updated query={job} /></div>
      <dl className="facts">
        <dt>Reads</dt><dd>{j.parser}: {describeTarget(j)}</dd>
        {j.expression && <><dt>Expression</dt><dd><code>{j.expression}</code></dd></>}
        {j.parser !== 'manual' && <><dt>Schedule</dt><dd><code>{j.schedule}</code></dd><dt>Last task</dt><dd><LastTask task={j.lastTask} blockedReason={j.blockedReason} /></dd></>}
      </dl>
      {writer && j.parser === 'manual' && <SetVersion jobId={j.id} />}
      {writer && j.parser !== 'manual' && <div className="actions"><RunNow path="/api/v1/scrape-jobs/{id}/run" id={j.id} label={j.name} /></div>}
      <section aria-labelledby="snapshots-h">
        <h2 id="snapshots-h">Versions found</h2>
        <ListView
          list={snapshots}
          caption="Versions found, newest first"
          empty={<p>No version yet. {j.parser === 'manual' ? 'Set the deployed version above.' : 'Run the job now, or wait for its schedule.'}</p>}
          head={<tr><th scope="col">Version</th><th scope="col">Source</th><th scope="col">Commit</th><th scope="col">Raw</th><th scope="col">Found</th></tr>}
          row={(s) => (
            <tr key={s.id}>
              <td><code>{s.version}</code></td><td>{s.source}</td><td>{s.commitSha ? <code>{s.commitSha.slice(0, 12)}</code> : '—'}</td><td>{s.raw ? <code>{s.raw}</code> : '—'}</td><td><When at={s.foundAt} /></td>
            </tr>
          )}
        />
      </section>
    </>
  );
}

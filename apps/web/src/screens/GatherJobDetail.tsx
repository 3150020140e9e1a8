import { useQuery } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ExternalLink, When } from '../app/bits.tsx';
import { ListView, useCursorList } from '../app/lists.tsx';
import { LastTask, RunNow } from '../app/run-now.tsx';
import { canWrite, useMe } from '../app/session.ts';
import { ErrorMessage, Updated } from '../app/status.tsx';
import { describeSource } from './GatherJobs.tsx';

type Release = Schemas['Release'];

/** Tries a tag-filter regex against the tags gathered so far (JavaScript's regex, close to the agent's). */
function RegexTester({ tags, initial }: { tags: string[]; initial: string }) {
  const [pattern, setPattern] = useState(initial);
  const id = useId();
  let regex: RegExp | null = null;
  let problem: string | null = null;
  try {
    regex = pattern ? new RegExp(pattern) : null;
  } catch (error) {
    problem = error instanceof Error ? error.message : 'not a valid regex';
  }
  const matching = regex ? tags.filter((t) => regex.test(t)) : tags;
  return (
    <div className="field">
      <label htmlFor={id}>Tag filter to try</label>
      <input id={id} value={pattern} onChange={(e) => setPattern(e.target.value)} aria-invalid={problem ? true : undefined} aria-describedby={`${id}-result`} />
      <span id={`${id}-result`} role="status" className={problem ? 'field-error' : 'muted'}>
        {problem ?? `${matching.length} of ${tags.length} gathered tags match${matching.length ? `: ${matching.slice(0, 8).join(', ')}${matching.length > 8 ? ', …' : ''}` : ''}`}
      </span>
    </div>
  );
}

/** One gather job: its runs, Run now, its releases, the tag-filter tester. */
export function GatherJobDetail() {
  const { id } = useParams({ from: '/gather-jobs/$id' });
  const me = useMe();
  const job = useQuery({ queryKey: ['gather-jobs', 'one', id], queryFn: () => unwrap(api.GET('/api/v1/gather-jobs/{id}', { params: { path: { id } } })) });
  const releases = useCursorList<Release>(['releases', id], (cursor) => unwrap(api.GET('/api/v1/gather-jobs/{id}/releases', { params: { path: { id }, query: { cursor, limit: 100 } } })));
  if (!job.data) return job.isPending ? <p role="status">Loading…</p> : <><h1>Gather job</h1><ErrorMessage error={job.error} /></>;
  const j = job.data;
  return (
    <>
      <div className="page-head"><h1>{j.name}</h1><Updated query={job} /></div>
      <dl className="facts">
        <dt>Source</dt><dd>{j.sourceType.replace('_', ' ')}: {describeSource(j)}</dd>
        <dt>Schedule</dt><dd><code>{j.schedule}</code>{j.enabled ? '' : ' (disabled)'}</dd>
        <dt>Next run</dt><dd><When at={j.nextRunAt} /></dd>
        <dt>Last run</dt><dd><When at={j.lastRunAt} /></dd>
        <dt>Last task</dt><dd data-testid="last-task"><LastTask task={j.lastTask} blockedReason={j.blockedReason} /></dd>
        {j.tagFilter && <><dt>Tag filter</dt><dd><code>{j.tagFilter}</code></dd></>}
      </dl>
      {canWrite(me.data) && <div className="actions"><RunNow path="/api/v1/gather-jobs/{id}/run" id={j.id} label={j.name} /></div>}
      <section aria-labelledby="tester-h">
        <h2 id="tester-h">Tag filter tester</h2>
        <RegexTester tags={releases.items.map((r) => r.tag)} initial={j.tagFilter ?? ''} />
      </section>
      <section aria-labelledby="releases-h">
        <h2 id="releases-h">Releases</h2>
        <ListView
          list={releases}
          caption="Releases gathered"
          empty={<p>No releases gathered yet. {j.enabled ? 'Run the job now, or wait for its schedule.' : 'Enable the job or run it now.'}</p>}
          head={<tr><th scope="col">Tag</th><th scope="col">Published</th><th scope="col">First gathered</th><th scope="col">Pre-release</th></tr>}
          row={(r) => (
            <tr key={r.id}>
              <td><ExternalLink url={r.url}>{r.tag}</ExternalLink></td><td><When at={r.publishedAt} /></td><td><When at={r.firstSeenAt} /></td><td>{r.prerelease ? 'yes' : 'no'}</td>
            </tr>
          )}
        />
      </section>
    </>
  );
}

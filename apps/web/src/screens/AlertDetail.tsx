import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { behindUnit } from '../api/format.ts';
import { ExternalLink, Severity, When } from '../app/bits.tsx';
import { canWrite, useMe } from '../app/session.ts';
import { ErrorMessage, Updated } from '../app/status.tsx';
import { Explanation } from './Explanation.tsx';
import { SnoozeActions, SnoozeFacts } from './Snooze.tsx';

/** The releases after the deployed one up to the latest (the list is newest first). */
function between(releases: Schemas['Release'][], deployed: string, latest: string): Schemas['Release'][] {
  const top = Math.max(0, releases.findIndex((r) => r.tag === latest));
  const bottom = releases.findIndex((r) => r.tag === deployed);
  return releases.slice(top, bottom === -1 ? top + 20 : bottom);
}

function Releases({ gatherJobId, alert }: { gatherJobId: string; alert: Schemas['Alert'] }) {
  const releases = useQuery({ queryKey: ['releases', gatherJobId, 'alert'], queryFn: () => unwrap(api.GET('/api/v1/gather-jobs/{id}/releases', { params: { path: { id: gatherJobId }, query: { limit: 200 } } })) });
  if (!releases.data) return <ErrorMessage error={releases.error} />;
  const list = between(releases.data.items, alert.deployedVersion, alert.latestVersion);
  if (list.length === 0) return <p>No release between the deployed and the latest version was gathered.</p>;
  return (
    <table>
      <caption className="visually-hidden">Releases between deployed and latest</caption>
      <thead><tr><th scope="col">Release</th><th scope="col">Published</th></tr></thead>
      <tbody>{list.map((r) => <tr key={r.id}><td><ExternalLink url={r.url}>{r.tag}</ExternalLink>{r.prerelease && ' (pre-release)'}</td><td><When at={r.publishedAt ?? r.firstSeenAt} /></td></tr>)}</tbody>
    </table>
  );
}

function Snapshots({ scrapeJobId }: { scrapeJobId: string }) {
  const snapshots = useQuery({ queryKey: ['snapshots', scrapeJobId], queryFn: () => unwrap(api.GET('/api/v1/scrape-jobs/{id}/snapshots', { params: { path: { id: scrapeJobId }, query: { limit: 10 } } })) });
  if (!snapshots.data) return <ErrorMessage error={snapshots.error} />;
  if (snapshots.data.items.length === 0) return <p>No version found yet.</p>;
  return (
    <table>
      <caption className="visually-hidden">Versions found by the scrape job</caption>
      <thead><tr><th scope="col">Version</th><th scope="col">Source</th><th scope="col">Found</th></tr></thead>
      <tbody>{snapshots.data.items.map((s) => <tr key={s.id}><td><code>{s.version}</code></td><td>{s.source}</td><td><When at={s.foundAt} /></td></tr>)}</tbody>
    </table>
  );
}

function Deliveries({ events }: { events: Schemas['AlertEvent'][] }) {
  const ids = events.map((e) => e.id);
  const deliveries = useQuery({
    queryKey: ['deliveries', 'events', ids],
    queryFn: async () => (await Promise.all(ids.map((id) => unwrap(api.GET('/api/v1/deliveries', { params: { query: { alertEventId: id, limit: 20 } } }))))).flatMap((p) => p.items),
    enabled: ids.length > 0,
  });
  if (!deliveries.data) return ids.length === 0 ? null : <ErrorMessage error={deliveries.error} />;
  if (deliveries.data.length === 0) return <p>No notification was sent for this alert: no notification rule matches its events.</p>;
  const typeOf = new Map(events.map((e) => [e.id, e.type]));
  return (
    <table>
      <caption className="visually-hidden">Deliveries of this alert's events</caption>
      <thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">Created</th></tr></thead>
      <tbody>
        {deliveries.data.map((d) => (
          <tr key={d.id}><td>{typeOf.get(d.alertEventId ?? '') ?? '—'}</td><td>{d.status}</td><td>{d.attempts}</td><td>{d.lastError ?? '—'}</td><td><When at={d.createdAt} /></td></tr>
        ))}
      </tbody>
    </table>
  );
}

/** One alert: acknowledge, its timeline, why it is what it is, what was found and gathered, what was sent. */
export function AlertDetail() {
  const { id } = useParams({ from: '/alerts/$id' });
  const me = useMe();
  const queryClient = useQueryClient();
  const alert = useQuery({ queryKey: ['alerts', 'one', id], queryFn: () => unwrap(api.GET('/api/v1/alerts/{id}', { params: { path: { id } } })) });
  const events = useQuery({ queryKey: ['alerts', 'events', id], queryFn: () => unwrap(api.GET('/api/v1/alerts/{id}/events', { params: { path: { id }, query: { limit: 200 } } })) });
  const configId = alert.data?.alertConfigId ?? null;
  const config = useQuery({ queryKey: ['alert-configs', 'one', configId], enabled: configId !== null, queryFn: () => unwrap(api.GET('/api/v1/alert-configs/{id}', { params: { path: { id: configId! } } })) });
  const evaluation = useQuery({ queryKey: ['evaluations', configId], enabled: configId !== null, queryFn: () => unwrap(api.GET('/api/v1/evaluations/{alertConfigId}', { params: { path: { alertConfigId: configId! } } })) });
  const toggle = useMutation({
    mutationFn: async (acknowledge: boolean) =>
      unwrap(acknowledge ? api.POST('/api/v1/alerts/{id}/acknowledge', { params: { path: { id } } }) : api.POST('/api/v1/alerts/{id}/unacknowledge', { params: { path: { id } } })),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['alerts'] });
      void queryClient.invalidateQueries({ queryKey: ['summary'] });
    },
  });

  if (!alert.data) return alert.isPending ? <p role="status">Loading…</p> : <><h1>Alert</h1><ErrorMessage error={alert.error} /><p><Link to="/alerts">All alerts</Link></p></>;
  const a = alert.data;
  return (
    <>
      <div className="page-head">
        <h1>{a.alertConfigName}</h1>
        <Updated query={alert} />
      </div>
      <p className="lede"><Severity level={a.severity} /> · {a.status} · <code>{a.deployedVersion}</code> → <code>{a.latestVersion}</code>, behind by {a.behindBy} {behindUnit(a.ruleType, a.behindBy)}</p>
      <dl className="facts">
        <dt>Opened</dt><dd><When at={a.createdAt} /></dd>
        {a.resolvedAt && <><dt>Resolved</dt><dd><When at={a.resolvedAt} /></dd></>}
        <dt>Acknowledged</dt><dd>{a.acknowledged ? <>by {a.acknowledgedBy} <When at={a.acknowledgedAt} /></> : 'no'}</dd>
        {a.snooze && <SnoozeFacts snooze={a.snooze} />}
      </dl>
      {canWrite(me.data) && a.status === 'open' && (
        <div className="actions">
          {a.acknowledged
            ? <button type="button" onClick={() => toggle.mutate(false)} disabled={toggle.isPending}>Unacknowledge</button>
            : <button type="button" onClick={() => toggle.mutate(true)} disabled={toggle.isPending}>Acknowledge</button>}
          <SnoozeActions alert={a} />
        </div>
      )}
      <ErrorMessage error={toggle.error} />
      <section aria-labelledby="timeline">
        <h2 id="timeline">Timeline</h2>
        {events.data && (
          <ol className="timeline">
            {events.data.items.map((e) => (
              <li key={e.id}>
                <When at={e.createdAt} /> — <strong>{e.type}</strong> <Severity level={e.severity} /> <code>{e.deployedVersion}</code> → <code>{e.latestVersion}</code>
                {' '}{e.actor ? <>by <span className="actor">{e.actor}</span></> : <span className="muted">by the rules engine</span>}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="evaluation-h">
        <h2 id="evaluation-h">Latest evaluation</h2>
        {configId === null && <p>The alert config was deleted; the alert stays in history.</p>}
        {evaluation.data && <Explanation evaluation={evaluation.data} />}
        {evaluation.isError && <ErrorMessage error={evaluation.error} />}
      </section>
      {config.data && (
        <>
          <section aria-labelledby="snapshots-h">
            <h2 id="snapshots-h">Deployed versions found</h2>
            <Snapshots scrapeJobId={config.data.scrapeJobId} />
          </section>
          <section aria-labelledby="releases-h">
            <h2 id="releases-h">Releases between deployed and latest</h2>
            <Releases gatherJobId={config.data.gatherJobId} alert={a} />
          </section>
        </>
      )}
      <section aria-labelledby="deliveries-h">
        <h2 id="deliveries-h">Notifications sent</h2>
        {events.data && <Deliveries events={events.data.items} />}
      </section>
    </>
  );
}

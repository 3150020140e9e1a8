import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { behindUnit } from '../api/format.ts';
import { Severity, When } from '../app/bits.tsx';
import { Filters, FilterSelect, SearchBox } from '../app/filters.tsx';
import { ListView, useCursorList } from '../app/lists.tsx';
import { ErrorMessage, Updated } from '../app/status.tsx';
import { EolText } from './Explanation.tsx';

type Upstream = Schemas['Upstream'];
type Counts = Upstream['counts'];
export const UPSTREAM_STATUSES = ['on_latest', 'behind', 'unknown', 'past_eol', 'violating'] as const;
export type UpstreamStatus = (typeof UPSTREAM_STATUSES)[number];

const STATUS_OPTIONS = [['', 'Any'], ['on_latest', 'On latest'], ['behind', 'Behind'], ['unknown', 'Unknown'], ['past_eol', 'Past end of life'], ['violating', 'Violating a rule']] as const;
const STATE_TEXT: Record<Schemas['UpstreamDeployment']['state'], string> = { on_latest: 'on latest', behind: 'behind', unknown: 'unknown' };

const years = (n: number) => `${Math.round(n * 100) / 100} libyear${n === 1 ? '' : 's'}`;

/** The words of a spread: every segment by its count, then end of life (which overlaps them). */
export function spreadText(c: Counts): string {
  return `${c.onLatest} on latest, ${c.behind} behind, ${c.unknown} unknown of ${c.deployments} deployment${c.deployments === 1 ? '' : 's'}; ${c.pastEol} past end of life`;
}

/**
 * How the deployments spread: segments on latest / behind / unknown as wide as their counts, each
 * with its count as text and a name; past end of life (which overlaps them) said beside it.
 */
export function SpreadBar({ counts }: { counts: Counts }) {
  const segments = [
    ['on-latest', 'on latest', counts.onLatest],
    ['behind', 'behind', counts.behind],
    ['unknown', 'unknown', counts.unknown],
  ] as const;
  return (
    <div className="spread-cell">
      <div className="spread" role="img" aria-label={spreadText(counts)} data-testid="spread">
        {segments.filter(([, , n]) => n > 0).map(([cls, label, n]) => (
          <span key={cls} className={cls} style={{ flexGrow: n }} title={`${n} ${label}`}>{n}</span>
        ))}
      </div>
      <div className="spread-legend" aria-hidden="true">
        {segments.filter(([, , n]) => n > 0).map(([, label, n]) => `${n} ${label}`).join(' · ')}{counts.pastEol > 0 ? ` · ${counts.pastEol} past EOL` : ''}
      </div>
    </div>
  );
}

/** Every upstream across the fleet: how many deployments are on its latest, behind, unknown, past end of life. */
export function Upstreams() {
  const search = useSearch({ from: '/upstreams' });
  const navigate = useNavigate({ from: '/upstreams' });
  const list = useCursorList<Upstream>(['upstreams', search], (cursor) => unwrap(api.GET('/api/v1/upstreams', { params: { query: { q: search.q, status: search.status, cursor } } })));
  const totals = (list.query.data?.pages[0] as Schemas['UpstreamList'] | undefined)?.totals;
  return (
    <>
      <div className="page-head"><h1>Upstreams</h1></div>
      {totals && (
        <p className="lede" data-testid="org-totals">
          Organization: <strong>{years(totals.libyear)}</strong> across {totals.deployments} deployment{totals.deployments === 1 ? '' : 's'}: {totals.onLatest} on latest, {totals.behind} behind, {totals.unknown} unknown, {totals.pastEol} past end of life.
        </p>
      )}
      <Filters>
        <SearchBox value={search.q} label="Upstream or alert config contains" onChange={(q) => void navigate({ search: (s) => ({ ...s, q }) })} />
        <FilterSelect label="Deployments in state" value={search.status} options={STATUS_OPTIONS} onChange={(status) => void navigate({ search: (s) => ({ ...s, status: status as UpstreamStatus | undefined }) })} />
      </Filters>
      <ListView
        list={list}
        caption="Upstreams"
        empty={<p>No upstreams{search.q || search.status ? ' match these filters' : ' yet: an upstream appears once an alert config compares a deployment with its gather job'}.</p>}
        head={<tr><th scope="col">Upstream (gather job)</th><th scope="col">Latest</th><th scope="col">Deployments</th><th scope="col">On latest</th><th scope="col">Behind</th><th scope="col">Unknown</th><th scope="col">Past EOL</th><th scope="col">Libyear</th><th scope="col">Spread</th></tr>}
        row={(u) => (
          <tr key={u.id}>
            <td><Link to="/upstreams/$gatherJobId" params={{ gatherJobId: u.gatherJobId }}>{u.name}</Link> <span className="muted">({u.sourceType.replace('_', ' ')})</span></td>
            <td>{u.latestVersion ? <code>{u.latestVersion}</code> : <span className="muted">—</span>}</td>
            <td>{u.counts.deployments}</td>
            <td>{u.counts.onLatest}</td>
            <td>{u.counts.behind}</td>
            <td>{u.counts.unknown}</td>
            <td>{u.counts.pastEol}</td>
            <td>{Math.round(u.counts.libyear * 100) / 100}</td>
            <td><SpreadBar counts={u.counts} /></td>
          </tr>
        )}
      />
    </>
  );
}

/** One upstream: each deployment's version, state, lag, severity, libyear and end of life. */
export function UpstreamDetail() {
  const { gatherJobId } = useParams({ from: '/upstreams/$gatherJobId' });
  const detail = useQuery({ queryKey: ['upstreams', 'one', gatherJobId], queryFn: () => unwrap(api.GET('/api/v1/upstreams/{gatherJobId}', { params: { path: { gatherJobId } } })) });
  if (!detail.data) return detail.isPending ? <p role="status">Loading…</p> : <><h1>Upstream</h1><ErrorMessage error={detail.error} /><p><Link to="/upstreams" search={{}}>All upstreams</Link></p></>;
  const u = detail.data;
  return (
    <>
      <div className="page-head">
        <h1>{u.name}</h1>
        <Updated query={detail} />
      </div>
      <p className="lede">
        Latest {u.latestVersion ? <code>{u.latestVersion}</code> : 'unknown'} · {years(u.counts.libyear)} · <Link to="/gather-jobs/$id" params={{ id: u.gatherJobId }}>gather job</Link> · <Link to="/upstreams" search={{}}>all upstreams</Link>
      </p>
      <SpreadBar counts={u.counts} />
      {u.deployments.length === 0 ? <p>No alert config compares a deployment with this upstream yet.</p> : (
        <table>
          <caption className="visually-hidden">Deployments of {u.name}</caption>
          <thead><tr><th scope="col">Deployment (alert config)</th><th scope="col">Deployed</th><th scope="col">State</th><th scope="col">Lag</th><th scope="col">Severity</th><th scope="col">Libyear</th><th scope="col">End of life</th><th scope="col">Evaluated</th></tr></thead>
          <tbody>
            {u.deployments.map((d) => (
              <tr key={d.alertConfigId}>
                <td>{d.alertConfigName}{!d.enabled && <span className="muted"> (disabled)</span>}</td>
                <td>{d.deployedVersion ? <code>{d.deployedVersion}</code> : <span className="muted">—</span>}</td>
                <td>{STATE_TEXT[d.state]}{d.state === 'unknown' && d.reason ? <span className="muted">: {d.reason}</span> : null}</td>
                <td>{d.behindBy === null ? <span className="muted">—</span> : <>{d.behindBy} {behindUnit(d.ruleType, d.behindBy)}</>}</td>
                <td><Severity level={d.severity} /></td>
                <td>{d.libyear === null ? <span className="muted">—</span> : d.libyear}</td>
                <td>{d.eol ? <EolText eol={d.eol} /> : <span className="muted">—</span>}</td>
                <td><When at={d.evaluatedAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

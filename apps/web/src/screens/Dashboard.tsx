import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { When } from '../app/bits.tsx';
import { ErrorMessage, Updated } from '../app/status.tsx';
import { AlertRowCells, AlertHead } from './Alerts.tsx';

const SEVERITIES = ['critical', 'high', 'moderate'] as const;

function useSummary() {
  return useQuery({ queryKey: ['summary'], queryFn: () => unwrap(api.GET('/api/v1/summary')) });
}

/** The ten worst open alerts: critical first, then high, then moderate; newest first within each. */
function useWorstAlerts() {
  return useQuery({
    queryKey: ['alerts', 'worst'],
    queryFn: async () => {
      const pages = await Promise.all(SEVERITIES.map((severity) => unwrap(api.GET('/api/v1/alerts', { params: { query: { status: 'open', severity, limit: 10 } } }))));
      return pages.flatMap((page) => page.items).slice(0, 10);
    },
  });
}

function useAgents() {
  return useQuery({ queryKey: ['agents', 'dashboard'], queryFn: () => unwrap(api.GET('/api/v1/agents', { params: { query: { limit: 100 } } })) });
}

function Tile({ label, value, search }: { label: string; value: number; search: Record<string, string> }) {
  return (
    <li className="tile">
      <Link to="/alerts" search={search}>
        <span className="tile-value">{value}</span>
        <span className="tile-label">{label}</span>
      </Link>
    </li>
  );
}

function NeedsAttention({ summary }: { summary: Schemas['Summary'] }) {
  const items: { key: string; text: string; to: '/gather-jobs' | '/notifications' | '/agents'; search?: { tab: 'dead' } }[] = [];
  if (summary.tasksFailed24h) items.push({ key: 'tasks', text: `${summary.tasksFailed24h} task(s) failed in the last 24 h`, to: '/gather-jobs' });
  if (summary.deadDeliveries) items.push({ key: 'dead', text: `${summary.deadDeliveries} notification(s) dead-lettered`, to: '/notifications', search: { tab: 'dead' } });
  if (summary.agents.offline) items.push({ key: 'offline', text: `${summary.agents.offline} agent(s) offline`, to: '/agents' });
  if (summary.agents.draining) items.push({ key: 'draining', text: `${summary.agents.draining} agent(s) draining`, to: '/agents' });
  if (summary.pendingTasksNoAgent) items.push({ key: 'stranded', text: `${summary.pendingTasksNoAgent} pending task(s) no online agent can take`, to: '/agents' });
  if (items.length === 0 && summary.unknownEvaluations === 0) return <p>Nothing needs attention.</p>;
  return (
    <ul className="attention">
      {summary.unknownEvaluationSamples.map((e) => (
        <li key={e.alertConfigId}>
          Unknown evaluation: <Link to="/alert-configs" search={{ q: e.alertConfigName }}>{e.alertConfigName}</Link> — <span>{e.reason ?? 'no reason given'}</span> (<When at={e.evaluatedAt} />)
        </li>
      ))}
      {summary.unknownEvaluations > summary.unknownEvaluationSamples.length && <li>and {summary.unknownEvaluations - summary.unknownEvaluationSamples.length} more unknown evaluation(s)</li>}
      {items.map((item) => <li key={item.key}><Link to={item.to} search={item.search ?? {}}>{item.text}</Link></li>)}
    </ul>
  );
}

/** What is behind, what is broken, what to do next. */
export function Dashboard() {
  const summary = useSummary();
  const worst = useWorstAlerts();
  const agents = useAgents();
  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
        <Updated query={summary} />
      </div>
      {summary.isError && !summary.data && <ErrorMessage error={summary.error} />}
      {summary.data && (
        <>
          <section aria-labelledby="open-alerts">
            <h2 id="open-alerts">Open alerts</h2>
            <ul className="tiles" data-testid="summary-tiles">
              {SEVERITIES.map((s) => <Tile key={s} label={s} value={summary.data.openAlerts[s]} search={{ status: 'open', severity: s }} />)}
              <Tile label="unacknowledged" value={summary.data.unacknowledged} search={{ status: 'open', acknowledged: 'no' }} />
            </ul>
          </section>
          <section aria-labelledby="attention">
            <h2 id="attention">Needs attention</h2>
            <NeedsAttention summary={summary.data} />
          </section>
        </>
      )}
      <section aria-labelledby="worst">
        <h2 id="worst">Worst open alerts</h2>
        {worst.data && worst.data.length === 0 && <p>No open alerts: everything deployed is within its rules. <Link to="/alert-configs" search={{}}>Alert configs</Link> decide what is watched.</p>}
        {worst.data && worst.data.length > 0 && (
          <table>
            <caption className="visually-hidden">The ten worst open alerts</caption>
            <thead><AlertHead /></thead>
            <tbody>{worst.data.map((alert) => <tr key={alert.id}><AlertRowCells alert={alert} /></tr>)}</tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="agents-h">
        <h2 id="agents-h">Agents</h2>
        {agents.data && agents.data.items.length === 0 && <p>No agent has connected yet. <Link to="/agents" search={{}}>How to run one</Link>.</p>}
        {agents.data && agents.data.items.length > 0 && (
          <table>
            <caption className="visually-hidden">Agents and their last heartbeat</caption>
            <thead><tr><th scope="col">Agent</th><th scope="col">State</th><th scope="col">Last heartbeat</th></tr></thead>
            <tbody>
              {agents.data.items.map((agent) => (
                <tr key={agent.id}>
                  <td>{agent.name}</td>
                  <td>{agent.draining ? `${agent.status}, draining` : agent.status}</td>
                  <td><When at={agent.lastHeartbeatAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}


import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { When } from '../app/bits.tsx';
import { Confirm } from '../app/Dialog.tsx';
import { Filters, SearchBox } from '../app/filters.tsx';
import { ListView, useCursorList } from '../app/lists.tsx';
import { canWrite, useMe } from '../app/session.ts';
import { ErrorMessage } from '../app/status.tsx';

type Agent = Schemas['Agent'];
type Action = { kind: 'drain' | 'uncordon' | 'forget'; agent: Agent };

const CONFIRM: Record<Action['kind'], (name: string) => { title: string; text: string; action: string }> = {
  drain: (name) => ({ title: `Drain ${name}?`, text: 'It finishes the tasks it runs and gets no new ones until uncordoned.', action: 'Drain' }),
  uncordon: (name) => ({ title: `Uncordon ${name}?`, text: 'It gets tasks again.', action: 'Uncordon' }),
  forget: (name) => ({ title: `Forget ${name}?`, text: 'Its record goes; tasks it held go back to pending. A running agent registers again at its next heartbeat.', action: 'Forget' }),
};

function EmptyAgents() {
  const server = `${window.location.origin}/api/v1/agent`;
  return (
    <>
      <p>No agent has connected yet. Agents run the gather and scrape tasks; create an agent key on the API keys page, then run one:</p>
      <pre><code>{`AGENT_SERVER_URL=${server} AGENT_API_KEY=pk_... AGENT_NAME=my-agent pnpm --filter @planekeeper/agent start`}</code></pre>
    </>
  );
}

/** Agents: state, heartbeat, capabilities; drain, uncordon, forget (each confirmed). */
export function Agents() {
  const search = useSearch({ from: '/agents' });
  const navigate = useNavigate({ from: '/agents' });
  const me = useMe();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState<Action | null>(null);
  const list = useCursorList<Agent>(['agents', search], (cursor) => unwrap(api.GET('/api/v1/agents', { params: { query: { q: search.q, cursor } } })));
  const act = useMutation({
    mutationFn: async ({ kind, agent }: Action) => {
      const path = { params: { path: { id: agent.id } } };
      if (kind === 'drain') await unwrap(api.POST('/api/v1/agents/{id}/drain', path));
      else if (kind === 'uncordon') await unwrap(api.POST('/api/v1/agents/{id}/uncordon', path));
      else await unwrap(api.DELETE('/api/v1/agents/{id}', path));
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['agents'] });
      void queryClient.invalidateQueries({ queryKey: ['summary'] });
    },
  });
  const writer = canWrite(me.data);
  const confirm = pending ? CONFIRM[pending.kind](pending.agent.name) : null;
  return (
    <>
      <div className="page-head"><h1>Agents</h1></div>
      <Filters><SearchBox value={search.q} onChange={(q) => void navigate({ search: { q } })} /></Filters>
      <ErrorMessage error={act.error} />
      <ListView
        list={list}
        caption="Agents"
        empty={search.q ? <p>No agent matches.</p> : <EmptyAgents />}
        head={<tr><th scope="col">Agent</th><th scope="col">State</th><th scope="col">Last heartbeat</th><th scope="col">Version</th><th scope="col">Capabilities</th><th scope="col">Credentials</th><th scope="col">Running / max tasks</th>{writer && <th scope="col"><span className="visually-hidden">Actions</span></th>}</tr>}
        row={(agent) => (
          <tr key={agent.id}>
            <td>{agent.name}<br /><small className="muted">{agent.hostname}</small></td>
            <td>{agent.draining ? `${agent.status}, draining` : agent.status}{agent.warnings.length > 0 && <ul className="warnings">{agent.warnings.map((w) => <li key={w}>{w}</li>)}</ul>}</td>
            <td><When at={agent.lastHeartbeatAt} /></td>
            <td>{agent.version}</td>
            <td>{agent.capabilities.join(', ') || '—'}</td>
            <td>{agent.credentials.join(', ') || '—'}</td>
            <td>{agent.health ? agent.health.runningTasks : '—'} / {agent.maxConcurrentTasks}</td>
            {writer && (
              <td className="actions">
                {agent.draining
                  ? <button type="button" onClick={() => setPending({ kind: 'uncordon', agent })}>Uncordon<span className="visually-hidden"> {agent.name}</span></button>
                  : <button type="button" onClick={() => setPending({ kind: 'drain', agent })}>Drain<span className="visually-hidden"> {agent.name}</span></button>}
                <button type="button" className="danger" onClick={() => setPending({ kind: 'forget', agent })}>Forget<span className="visually-hidden"> {agent.name}</span></button>
              </td>
            )}
          </tr>
        )}
      />
      <Confirm open={pending !== null} title={confirm?.title ?? ''} text={confirm?.text ?? ''} action={confirm?.action ?? ''} onClose={() => setPending(null)} onConfirm={() => pending && act.mutate(pending)} />
    </>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { behindUnit } from '../api/format.ts';
import { Severity, When } from '../app/bits.tsx';
import { Filters, FilterSelect, SearchBox } from '../app/filters.tsx';
import type { AlertSearch } from './alert-search.ts';
import { ListView, useCursorList } from '../app/lists.tsx';
import { canWrite, useMe } from '../app/session.ts';
import { ErrorMessage } from '../app/status.tsx';

type Alert = Schemas['Alert'];

export function AlertHead({ select }: { select?: boolean }) {
  return (
    <tr>
      {select && <th scope="col"><span className="visually-hidden">Select</span></th>}
      <th scope="col">Severity</th><th scope="col">Alert config</th><th scope="col">Deployed → latest</th><th scope="col">Behind by</th><th scope="col">Acknowledged</th><th scope="col">Age</th>
    </tr>
  );
}

export function AlertRowCells({ alert }: { alert: Alert }) {
  return (
    <>
      <td><Severity level={alert.severity} /></td>
      <td><Link to="/alerts/$id" params={{ id: alert.id }}>{alert.alertConfigName}</Link>{alert.status === 'resolved' && <span className="muted"> (resolved)</span>}{alert.snooze && alert.status === 'open' && <span className="muted"> (snoozed)</span>}</td>
      <td><code>{alert.deployedVersion}</code> → <code>{alert.latestVersion}</code></td>
      <td>{alert.behindBy} {behindUnit(alert.ruleType, alert.behindBy)}</td>
      <td>{alert.acknowledged ? <>by {alert.acknowledgedBy ?? 'someone'} <When at={alert.acknowledgedAt} /></> : <span className="muted">no</span>}</td>
      <td><When at={alert.createdAt} /></td>
    </>
  );
}

/** Alerts: open by default, filters in the URL, bulk acknowledge for writers. */
export function Alerts() {
  const search = useSearch({ from: '/alerts' });
  const navigate = useNavigate({ from: '/alerts' });
  const me = useMe();
  const queryClient = useQueryClient();
  const status = search.status ?? 'open';
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const list = useCursorList<Alert>(['alerts', 'list', search], async (cursor) =>
    unwrap(api.GET('/api/v1/alerts', {
      params: { query: { ...(status === 'all' ? {} : { status }), severity: search.severity, acknowledged: search.acknowledged, q: search.q, cursor } },
    })),
  );
  const acknowledge = useMutation({
    mutationFn: async (ids: string[]) => {
      for (const id of ids) await unwrap(api.POST('/api/v1/alerts/{id}/acknowledge', { params: { path: { id } } }));
    },
    onSettled: () => {
      setSelected(new Set());
      void queryClient.invalidateQueries({ queryKey: ['alerts'] });
      void queryClient.invalidateQueries({ queryKey: ['summary'] });
    },
  });
  const set = (patch: Partial<AlertSearch>) => void navigate({ search: (prev) => ({ ...prev, ...patch }) });
  const writer = canWrite(me.data);
  const toggle = (id: string) => setSelected((prev) => {
    const next = new Set(prev);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });

  return (
    <>
      <div className="page-head"><h1>Alerts</h1></div>
      <Filters>
        <FilterSelect label="Status" value={search.status} options={[['', 'Open'], ['resolved', 'Resolved'], ['all', 'All']]} onChange={(v) => set({ status: v as AlertSearch['status'] })} />
        <FilterSelect label="Severity" value={search.severity} options={[['', 'Any'], ['critical', 'Critical'], ['high', 'High'], ['moderate', 'Moderate']]} onChange={(v) => set({ severity: v as AlertSearch['severity'] })} />
        <FilterSelect label="Acknowledged" value={search.acknowledged} options={[['', 'Either'], ['no', 'Not acknowledged'], ['yes', 'Acknowledged']]} onChange={(v) => set({ acknowledged: v as AlertSearch['acknowledged'] })} />
        <SearchBox value={search.q} onChange={(q) => set({ q })} label="Config name contains" />
      </Filters>
      {writer && (
        <div className="bulk">
          <button type="button" disabled={selected.size === 0 || acknowledge.isPending} onClick={() => acknowledge.mutate([...selected])}>
            Acknowledge selected ({selected.size})
          </button>
          <ErrorMessage error={acknowledge.error} />
        </div>
      )}
      <ListView
        list={list}
        caption="Alerts"
        empty={<p>No alerts match these filters. {search.severity || search.q || search.acknowledged ? 'Clear a filter to see more.' : 'Nothing is behind its rules.'}</p>}
        head={<AlertHead select={writer} />}
        row={(alert) => (
          <tr key={alert.id}>
            {writer && (
              <td>
                <input type="checkbox" aria-label={`Select ${alert.alertConfigName}`} checked={selected.has(alert.id)} disabled={alert.acknowledged || alert.status !== 'open'} onChange={() => toggle(alert.id)} />
              </td>
            )}
            <AlertRowCells alert={alert} />
          </tr>
        )}
      />
    </>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { When } from '../app/bits.tsx';
import { Field, formText } from '../app/form.tsx';
import { Filters, SearchBox } from '../app/filters.tsx';
import { ListView, useCursorList } from '../app/lists.tsx';
import { canWrite, useMe } from '../app/session.ts';
import { ErrorMessage } from '../app/status.tsx';
import { thresholdErrors } from '../api/rule-thresholds.ts';

type Rule = Schemas['Rule'];
type RuleType = Schemas['RuleCreate']['type'];

/** The unit each rule type's thresholds count in. */
const UNIT: Record<RuleType, string> = { majors_behind: 'majors', minors_behind: 'minors', days_behind: 'days', libyear: 'years', eol: 'days left' };

const DEFAULTS: Record<RuleType, { moderate: number; high: number; critical: number }> = {
  majors_behind: { moderate: 1, high: 2, critical: 3 },
  minors_behind: { moderate: 1, high: 2, critical: 3 },
  days_behind: { moderate: 30, high: 90, critical: 180 },
  libyear: { moderate: 0.5, high: 1, critical: 2 },
  eol: { moderate: 90, high: 30, critical: 0 },
};

function RuleForm({ rule, onDone }: { rule: Rule | null; onDone: (message: string) => void }) {
  const queryClient = useQueryClient();
  const [local, setLocal] = useState<Record<string, string>>({});
  const [type, setType] = useState<RuleType>(rule?.type ?? 'majors_behind');
  const save = useMutation({
    mutationFn: async (body: Schemas['RuleCreate']) => {
      if (!rule) return { rule: await unwrap(api.POST('/api/v1/rules', { body })), affected: 0 };
      const configs = await unwrap(api.GET('/api/v1/alert-configs', { params: { query: { ruleId: rule.id, limit: 500 } } }));
      return { rule: await unwrap(api.PATCH('/api/v1/rules/{id}', { params: { path: { id: rule.id } }, body })), affected: configs.items.length };
    },
    onSuccess: ({ rule: saved, affected }) => {
      void queryClient.invalidateQueries({ queryKey: ['rules'] });
      onDone(rule ? `Saved ${saved.name}: ${affected} alert config(s) using it re-evaluate.` : `Created ${saved.name}.`);
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      name: formText(form, 'name'),
      type: formText(form, 'type') as RuleType,
      moderate: Number(formText(form, 'moderate')),
      high: Number(formText(form, 'high')),
      critical: Number(formText(form, 'critical')),
      stableOnly: form.get('stableOnly') === 'on',
    };
    const errors = thresholdErrors(body.type, body);
    if (!body.name) errors.name = 'is required';
    setLocal(errors);
    if (Object.keys(errors).length === 0) save.mutate(body);
  }
  return (
    <form className="stacked" onSubmit={submit} noValidate aria-label={rule ? `Edit ${rule.name}` : 'New rule'}>
      <Field label="Name" path="name" error={save.error} local={local.name}>{(p) => <input {...p} defaultValue={rule?.name} maxLength={200} />}</Field>
      <Field label="Type" path="type" error={save.error}>
        {(p) => (
          <select {...p} value={type} onChange={(e) => setType(e.target.value as RuleType)}>
            <option value="majors_behind">Major versions behind</option>
            <option value="minors_behind">Minor versions behind</option>
            <option value="days_behind">Days behind</option>
            <option value="libyear">Libyear (years between deployed and latest releases)</option>
            <option value="eol">End of life (days left)</option>
          </select>
        )}
      </Field>
      {(['moderate', 'high', 'critical'] as const).map((name) => (
        <Field key={`${type}-${name}`} label={`${name[0]!.toUpperCase()}${name.slice(1)} from`} path={name} error={save.error} local={local[name]} hint={type === 'eol' ? 'days left before end of life, or fewer' : UNIT[type]}>
          {(p) => <input {...p} type="number" min={0} step={type === 'libyear' ? 0.01 : 1} inputMode={type === 'libyear' ? 'decimal' : 'numeric'} defaultValue={rule && rule.type === type ? rule[name] : DEFAULTS[type][name]} />}
        </Field>
      ))}
      <label><input type="checkbox" name="stableOnly" defaultChecked={rule?.stableOnly ?? true} /> Stable releases only</label>
      {save.error && !(save.error as { code?: string }).code?.startsWith('validation') && <ErrorMessage error={save.error} />}
      <div className="actions"><button type="submit" disabled={save.isPending}>{rule ? 'Save rule' : 'Create rule'}</button></div>
    </form>
  );
}

/** Rules: how far behind is moderate, high, critical. */
export function Rules() {
  const search = useSearch({ from: '/rules' });
  const navigate = useNavigate({ from: '/rules' });
  const me = useMe();
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  const [result, setResult] = useState('');
  const list = useCursorList<Rule>(['rules', search], (cursor) => unwrap(api.GET('/api/v1/rules', { params: { query: { q: search.q, cursor } } })));
  const writer = canWrite(me.data);
  return (
    <>
      <div className="page-head"><h1>Rules</h1></div>
      <p role="status">{result}</p>
      <Filters><SearchBox value={search.q} onChange={(q) => void navigate({ search: { q } })} /></Filters>
      {writer && editing === null && <button type="button" onClick={() => setEditing('new')}>New rule</button>}
      {editing !== null && <RuleForm key={editing === 'new' ? 'new' : editing.id} rule={editing === 'new' ? null : editing} onDone={(m) => { setResult(m); setEditing(null); }} />}
      <ListView
        list={list}
        caption="Rules"
        empty={<p>No rules yet. {writer ? 'Create one: it says how far behind is moderate, high and critical.' : 'A member or admin creates them.'}</p>}
        head={<tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Moderate / high / critical</th><th scope="col">Stable only</th><th scope="col">Updated</th>{writer && <th scope="col"><span className="visually-hidden">Actions</span></th>}</tr>}
        row={(rule) => (
          <tr key={rule.id}>
            <td>{rule.name}</td><td>{rule.type.replace('_', ' ')}</td><td>{rule.moderate} / {rule.high} / {rule.critical} {UNIT[rule.type]}</td><td>{rule.stableOnly ? 'yes' : 'no'}</td><td><When at={rule.updatedAt} /></td>
            {writer && <td><button type="button" onClick={() => setEditing(rule)}>Edit<span className="visually-hidden"> {rule.name}</span></button></td>}
          </tr>
        )}
      />
    </>
  );
}

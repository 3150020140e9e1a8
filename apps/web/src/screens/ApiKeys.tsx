import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { When } from '../app/bits.tsx';
import { Confirm } from '../app/Dialog.tsx';
import { Filters, SearchBox } from '../app/filters.tsx';
import { Field, formText, ShownOnce } from '../app/form.tsx';
import { ListView, useCursorList } from '../app/lists.tsx';
import { isAdmin, useMe } from '../app/session.ts';
import { ErrorMessage } from '../app/status.tsx';

type ApiKey = Schemas['ApiKey'];

/** API keys (admins): create (the key shown once), revoke; revoking your own key logs you out. */
export function ApiKeys() {
  const search = useSearch({ from: '/api-keys' });
  const navigate = useNavigate({ from: '/api-keys' });
  const me = useMe();
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const list = useCursorList<ApiKey>(['api-keys', search], (cursor) => unwrap(api.GET('/api/v1/api-keys', { params: { query: { q: search.q, cursor } } })));
  const create = useMutation({
    // The key goes to component state only, never into the query cache.
    mutationFn: (body: Schemas['ApiKeyCreate']) => unwrap(api.POST('/api/v1/api-keys', { body })),
    onSuccess: (key) => {
      setCreated({ name: key.name, key: key.key });
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (key: ApiKey) => unwrap(api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id: key.id } } })),
    onSuccess: (_data, key) => {
      if (key.id === me.data?.keyId) void queryClient.invalidateQueries({ queryKey: ['me'] });
      else void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  if (!isAdmin(me.data)) return <><h1>API keys</h1><p>Only admins manage API keys.</p></>;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({ name: formText(form, 'name'), role: formText(form, 'role') as ApiKey['role'] });
    event.currentTarget.reset();
  }
  return (
    <>
      <div className="page-head"><h1>API keys</h1></div>
      {created ? <ShownOnce label={`New key ${created.name}`} value={created.key} onDone={() => setCreated(null)} /> : (
        <form className="stacked" onSubmit={submit} noValidate aria-label="New API key">
          <Field label="Name" path="name" error={create.error}>{(p) => <input {...p} maxLength={200} />}</Field>
          <Field label="Role" path="role" error={create.error}>
            {(p) => <select {...p} defaultValue="member"><option value="admin">admin</option><option value="member">member</option><option value="viewer">viewer</option><option value="agent">agent</option></select>}
          </Field>
          <div className="actions"><button type="submit" disabled={create.isPending}>Create key</button></div>
        </form>
      )}
      <ErrorMessage error={revoke.error} />
      <Filters><SearchBox value={search.q} onChange={(q) => void navigate({ search: { q } })} /></Filters>
      <ListView
        list={list}
        caption="API keys"
        empty={<p>No keys match.</p>}
        head={<tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Prefix</th><th scope="col">Last used</th><th scope="col">Revoked</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>}
        row={(key) => (
          <tr key={key.id}>
            <td>{key.name}{key.id === me.data?.keyId && <span className="muted"> (this session's key)</span>}</td>
            <td>{key.role}</td><td><code>{key.keyPrefix}</code></td><td><When at={key.lastUsedAt} /></td>
            <td>{key.revokedAt ? <When at={key.revokedAt} /> : 'no'}</td>
            <td>{!key.revokedAt && <button type="button" className="danger" onClick={() => setRevoking(key)}>Revoke<span className="visually-hidden"> {key.name}</span></button>}</td>
          </tr>
        )}
      />
      <Confirm
        open={revoking !== null}
        title={`Revoke ${revoking?.name ?? ''}?`}
        text={revoking?.id === me.data?.keyId ? 'This is the key of your session: you will be logged out.' : 'Everything using it stops working at once.'}
        action="Revoke"
        onClose={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking)}
      />
    </>
  );
}

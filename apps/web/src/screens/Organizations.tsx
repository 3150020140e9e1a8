import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { When } from '../app/bits.tsx';
import { Field, formText, ShownOnce } from '../app/form.tsx';
import { ListView, useCursorList } from '../app/lists.tsx';
import { useMe } from '../app/session.ts';
import { ErrorMessage } from '../app/status.tsx';

type Organization = Schemas['Organization'];

function Rename({ organization, onDone }: { organization: Organization; onDone: () => void }) {
  const queryClient = useQueryClient();
  const rename = useMutation({
    mutationFn: (name: string) => unwrap(api.PATCH('/api/v1/organizations/{id}', { params: { path: { id: organization.id } }, body: { name } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['organizations'] });
      void queryClient.invalidateQueries({ queryKey: ['me'] });
      onDone();
    },
  });
  return (
    <form className="stacked" aria-label={`Rename ${organization.name}`} noValidate onSubmit={(e) => { e.preventDefault(); rename.mutate(formText(new FormData(e.currentTarget), 'name')); }}>
      <Field label="New name" path="name" error={rename.error}>{(p) => <input {...p} defaultValue={organization.name} maxLength={200} />}</Field>
      {rename.error && <ErrorMessage error={rename.error} />}
      <div className="actions"><button type="submit">Save name</button><button type="button" onClick={onDone}>Cancel</button></div>
    </form>
  );
}

/** Organizations (the bootstrap key only): list, create (its first admin key shown once), rename. */
export function Organizations() {
  const me = useMe();
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [renaming, setRenaming] = useState<Organization | null>(null);
  const list = useCursorList<Organization>(['organizations'], (cursor) => unwrap(api.GET('/api/v1/organizations', { params: { query: { cursor } } })));
  const create = useMutation({
    mutationFn: (name: string) => unwrap(api.POST('/api/v1/organizations', { body: { name } })),
    onSuccess: (answer) => {
      setCreated({ name: answer.organization.name, key: answer.adminKey.key });
      void queryClient.invalidateQueries({ queryKey: ['organizations'] });
    },
  });
  if (!me.data?.bootstrap) return <><h1>Organizations</h1><p>Only the installation's bootstrap key manages organizations.</p></>;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate(formText(new FormData(event.currentTarget), 'name'));
    event.currentTarget.reset();
  }
  return (
    <>
      <div className="page-head"><h1>Organizations</h1></div>
      {created ? <ShownOnce label={`First admin key of ${created.name}`} value={created.key} onDone={() => setCreated(null)} /> : (
        <form className="stacked" onSubmit={submit} noValidate aria-label="New organization">
          <Field label="Name" path="name" error={create.error}>{(p) => <input {...p} maxLength={200} />}</Field>
          <div className="actions"><button type="submit" disabled={create.isPending}>Create organization</button></div>
        </form>
      )}
      {renaming && <Rename organization={renaming} onDone={() => setRenaming(null)} />}
      <ListView
        list={list}
        caption="Organizations"
        empty={<p>No organizations.</p>}
        head={<tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>}
        row={(org) => (
          <tr key={org.id}>
            <td>{org.name}{org.id === me.data?.organization.id && <span className="muted"> (yours)</span>}</td>
            <td><When at={org.createdAt} /></td>
            <td>{org.id === me.data?.organization.id && <button type="button" onClick={() => setRenaming(org)}>Rename<span className="visually-hidden"> {org.name}</span></button>}</td>
          </tr>
        )}
      />
    </>
  );
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, unwrap } from '../api/client.ts';
import { Dialog } from './Dialog.tsx';
import { ErrorMessage } from './status.tsx';

type RunPath = '/api/v1/gather-jobs/{id}/run' | '/api/v1/scrape-jobs/{id}/run' | '/api/v1/helm-sync-jobs/{id}/run';

/** The task a Run now started, followed from pending to done (polled every second while open). */
function FollowTask({ taskId, onDone }: { taskId: string; onDone: () => void }) {
  const task = useQuery({
    queryKey: ['tasks', taskId],
    queryFn: () => unwrap(api.GET('/api/v1/tasks/{id}', { params: { path: { id: taskId } } })),
    refetchInterval: (query) => (query.state.data && ['succeeded', 'failed'].includes(query.state.data.status) ? false : 1_000),
  });
  const status = task.data?.status;
  const done = status === 'succeeded' || status === 'failed';
  useEffect(() => {
    if (done) onDone();
  }, [done, onDone]);
  return (
    <p role="status" data-testid="run-status">
      Task {status ?? 'starting'}{status === 'failed' && task.data?.error ? <>: <span className="error">{task.data.error}</span></> : null}
    </p>
  );
}

/** "Run now" with the task followed, and a 409 (disabled or manual job) explained in a dialog. */
export function RunNow({ path, id, label }: { path: RunPath; id: string; label: string }) {
  const queryClient = useQueryClient();
  const [taskId, setTaskId] = useState<string | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: () => unwrap(api.POST(path, { params: { path: { id } } })),
    onSuccess: (task) => setTaskId(task.id),
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'conflict') setConflict(error.message);
    },
  });
  const refresh = useCallback(() => {
    for (const key of ['gather-jobs', 'scrape-jobs', 'helm-sync-jobs', 'releases', 'snapshots', 'summary']) void queryClient.invalidateQueries({ queryKey: [key] });
  }, [queryClient]);
  return (
    <>
      <button type="button" onClick={() => run.mutate()} disabled={run.isPending}>Run now<span className="visually-hidden"> {label}</span></button>
      {taskId && <FollowTask key={taskId} taskId={taskId} onDone={refresh} />}
      {run.error && !(run.error instanceof ApiError && run.error.code === 'conflict') && <ErrorMessage error={run.error} />}
      <Dialog title="Cannot run now" open={conflict !== null} onClose={() => setConflict(null)}>
        <p>{conflict}</p>
        <div className="actions"><button type="button" onClick={() => setConflict(null)}>Close</button></div>
      </Dialog>
    </>
  );
}

/** A job's last task: status and error, and why its pending work waits when it does. */
export function LastTask({ task, blockedReason }: { task: { status: string; error: string | null; completedAt: string | null } | null | undefined; blockedReason?: string | null }) {
  return (
    <span>
      {task ? <>{task.status}{task.error && <>: <span className="error">{task.error}</span></>}</> : <span className="muted">never run</span>}
      {blockedReason && <><br /><span className="blocked">waiting: {blockedReason}</span></>}
    </span>
  );
}

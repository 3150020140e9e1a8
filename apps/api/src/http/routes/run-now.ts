import { idParamsSchema, taskResponseSchema, type TaskKind } from '@planekeeper/domain';
import type { JobKind } from '../../services/job-kinds.ts';
import { runJobNow } from '../../services/run-job-now.ts';
import { presentTask } from '../present/tasks.ts';
import { defineRoute, reply } from '../route.ts';

/** `POST /<jobs>/:id/run` of one kind of job: 202 with the new pending task, 200 with the one already open. */
export function runNowRoute<K extends TaskKind, C, U>(kind: JobKind<K, C, U>, doc: { path: string; tag: string; summary: string }) {
  return defineRoute({
    method: 'post', path: doc.path, tag: doc.tag, access: 'write', summary: doc.summary,
    params: idParamsSchema, response: taskResponseSchema, status: 202,
    handler: async ({ deps, auth, params }) => {
      const { task, created } = await runJobNow(deps, auth.organizationId, kind, params.id);
      return reply(created ? 202 : 200, presentTask(task));
    },
  });
}

import {
  alertEventListQuerySchema,
  alertEventResponseSchema,
  alertListQuerySchema,
  alertResponseSchema,
  alertSnoozeSchema,
  idParamsSchema,
  listEnvelopeSchema,
  notFound,
} from '@planekeeper/domain';
import { findAlert, listAlertEvents, listAlerts } from '../../db/alerts.queries.ts';
import { setAcknowledgement } from '../../services/alert-acknowledgements.ts';
import { setSnooze } from '../../services/alert-snoozes.ts';
import { listPage } from '../pagination.ts';
import { presentAlert, presentAlertEvent } from '../present/alerts.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'alerts';
const eventQuerySchema = alertEventListQuerySchema.omit({ alertId: true });

export const alertsRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/alerts', tag, access: 'read', summary: 'List alerts, newest first',
    query: alertListQuerySchema, response: listEnvelopeSchema(alertResponseSchema),
    handler: ({ deps, auth, query }) => listPage(query, (page) => listAlerts(deps.db, auth.organizationId, query, page), presentAlert),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/alerts/:id', tag, access: 'read', summary: 'Get an alert',
    params: idParamsSchema, response: alertResponseSchema,
    handler: async ({ deps, auth, params }) => {
      const row = await findAlert(deps.db, auth.organizationId, params.id);
      if (!row) throw notFound('alert', params.id);
      return presentAlert(row);
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/alerts/:id/acknowledge', tag, access: 'write', status: 200,
    summary: 'Acknowledge an open alert (idempotent); cleared when the deployed version changes',
    params: idParamsSchema, response: alertResponseSchema,
    handler: async ({ deps, auth, params }) =>
      presentAlert(await setAcknowledgement(deps, { organizationId: auth.organizationId, alertId: params.id, acknowledged: true, keyName: auth.keyName })),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/alerts/:id/unacknowledge', tag, access: 'write', status: 200,
    summary: 'Withdraw the acknowledgement of an open alert (idempotent)',
    params: idParamsSchema, response: alertResponseSchema,
    handler: async ({ deps, auth, params }) =>
      presentAlert(await setAcknowledgement(deps, { organizationId: auth.organizationId, alertId: params.id, acknowledged: false, keyName: auth.keyName })),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/alerts/:id/snooze', tag, access: 'write', status: 200,
    summary: 'Snooze an open alert until a time or until its latest version changes: only its resolution is notified meanwhile',
    params: idParamsSchema, body: alertSnoozeSchema, response: alertResponseSchema,
    handler: async ({ deps, auth, params, body }) =>
      presentAlert(await setSnooze(deps, { organizationId: auth.organizationId, alertId: params.id, keyName: auth.keyName, snooze: body })),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/alerts/:id/unsnooze', tag, access: 'write', status: 200,
    summary: 'End the snooze of an open alert (idempotent); an escalation silenced during it that still holds is notified',
    params: idParamsSchema, response: alertResponseSchema,
    handler: async ({ deps, auth, params }) =>
      presentAlert(await setSnooze(deps, { organizationId: auth.organizationId, alertId: params.id, keyName: auth.keyName, snooze: null })),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/alerts/:id/events', tag, access: 'read', summary: "An alert's events, oldest first",
    params: idParamsSchema, query: eventQuerySchema, response: listEnvelopeSchema(alertEventResponseSchema),
    handler: async ({ deps, auth, params, query }) => {
      if (!(await findAlert(deps.db, auth.organizationId, params.id))) throw notFound('alert', params.id);
      return listPage(query, (page) => listAlertEvents(deps.db, auth.organizationId, params.id, query, page), presentAlertEvent);
    },
  }),
];

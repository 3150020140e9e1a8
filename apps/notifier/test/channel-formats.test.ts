/* eslint-disable @typescript-eslint/no-explicit-any -- received bodies are checked field by field, as the services do */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { scheduleDeliveryAttempt } from '@planekeeper/db';
import { makeAlertEvent } from '@planekeeper/db/testing';
import { webhookBodySchema, webhookTestBodySchema, type OrganizationId } from '@planekeeper/domain';
import { deliveriesOf, makeScenario, settledDelivery, startNotifier, waitFor, type NotifierUnderTest } from './helpers/notifier.ts';
import { startReceiver, type ReceivedRequest, type Receiver, type ReceiverAnswer } from './helpers/receiver.ts';

let notifier: NotifierUnderTest;
const receivers: Receiver[] = [];

beforeAll(async () => {
  notifier = await startNotifier();
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await notifier.stop();
});

async function receiver(respond: (request: ReceivedRequest) => ReceiverAnswer): Promise<Receiver> {
  const started = await startReceiver(respond);
  receivers.push(started);
  return started;
}

const ALERT_LINK = /^https:\/\/planekeeper\.example\.com\/ui\/alerts\/[0-9a-f-]{36}$/;

// --- What each service accepts, after its documentation: a wrong shape is refused as they would.

function slackProblems(body: any): string[] {
  const problems: string[] = [];
  if (typeof body.text !== 'string' || body.text.length === 0) problems.push('text: the fallback is required with blocks');
  if (!Array.isArray(body.blocks) || body.blocks.length > 50) return [...problems, 'blocks: 1..50 required'];
  for (const block of body.blocks) {
    if (block.type === 'header') {
      if (block.text?.type !== 'plain_text' || typeof block.text.text !== 'string' || block.text.text.length > 150) problems.push('header: plain_text up to 150');
    } else if (block.type === 'section') {
      if (!block.text && !block.fields) problems.push('section: text or fields');
      if (block.text && (block.text.type !== 'mrkdwn' && block.text.type !== 'plain_text')) problems.push('section.text: type');
      if (block.fields && (block.fields.length > 10 || block.fields.some((f: any) => typeof f.text !== 'string' || f.text.length > 2000))) problems.push('section.fields: up to 10 of 2000');
    } else if (block.type === 'context') {
      if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10) problems.push('context.elements: 1..10');
    } else {
      problems.push(`unknown block type ${String(block.type)}`);
    }
  }
  return problems;
}

function discordProblems(body: any): string[] {
  const problems: string[] = [];
  if (!body.content && !Array.isArray(body.embeds)) problems.push('content or embeds required');
  for (const embed of body.embeds ?? []) {
    if (typeof embed.title !== 'string' || embed.title.length > 256) problems.push('embed.title: up to 256');
    if (typeof embed.description !== 'string' || embed.description.length > 4096) problems.push('embed.description: up to 4096');
    if (!Number.isInteger(embed.color) || embed.color < 0 || embed.color > 0xffffff) problems.push('embed.color: integer 0..0xFFFFFF');
    if (Number.isNaN(Date.parse(embed.timestamp))) problems.push('embed.timestamp: ISO 8601');
    if (!Array.isArray(embed.fields) || embed.fields.length > 25) problems.push('embed.fields: up to 25');
    for (const field of embed.fields ?? []) {
      if (typeof field.name !== 'string' || !field.name || field.name.length > 256 || typeof field.value !== 'string' || !field.value || field.value.length > 1024) problems.push('embed.field: name 1..256, value 1..1024');
    }
  }
  return problems;
}

function teamsProblems(body: any): string[] {
  const problems: string[] = [];
  if (body.type !== 'message') problems.push('type must be message');
  const attachment = body.attachments?.[0];
  if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive') problems.push('attachments[0].contentType');
  const card = attachment?.content;
  if (card?.type !== 'AdaptiveCard' || typeof card.version !== 'string') problems.push('content: AdaptiveCard with version');
  for (const element of card?.body ?? []) {
    if (element.type === 'TextBlock' && typeof element.text !== 'string') problems.push('TextBlock.text');
    if (element.type === 'FactSet' && !(element.facts ?? []).every((f: any) => typeof f.title === 'string' && typeof f.value === 'string')) problems.push('FactSet.facts');
    if (!['TextBlock', 'FactSet', 'ColumnSet', 'Container', 'Image'].includes(element.type)) problems.push(`unknown element ${String(element.type)}`);
  }
  for (const action of card?.actions ?? []) {
    if (action.type === 'Action.OpenUrl' && !/^https?:\/\//.test(action.url)) problems.push('Action.OpenUrl.url');
  }
  return problems;
}

function jsonOf(request: ReceivedRequest): any {
  return request.headers['content-type']?.startsWith('application/json') ? JSON.parse(request.body) : null;
}

// --- Standard Webhooks verification, written from the specification (not the notifier's code):
// signed content = "<webhook-id>.<webhook-timestamp>.<raw body>", HMAC-SHA256 keyed with the
// base64-decoded secret after "whsec_", base64 signature; the header lists space-separated
// "v1,<signature>" entries; a timestamp more than 5 minutes off is refused.
function verifyStandardWebhook(secret: string, headers: ReceivedRequest['headers'], body: string): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.split('_').slice(1).join('_'), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest();
  return signatures.split(' ').some((entry) => {
    const comma = entry.indexOf(',');
    if (entry.slice(0, comma) !== 'v1') return false;
    const given = Buffer.from(entry.slice(comma + 1), 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** A test delivery as the api makes one (POST /notification-channels/:id/test): the row and its first attempt. */
async function testDelivery(organizationId: OrganizationId, channelId: string) {
  return notifier.db.transaction().execute(async (trx) => {
    const delivery = await trx.insertInto('deliveries').values({ organization_id: organizationId, kind: 'test', channel_id: channelId }).returningAll().executeTakeFirstOrThrow();
    await scheduleDeliveryAttempt(trx, notifier.boss, { organizationId, deliveryId: delivery.id });
    return delivery;
  });
}

describe('channel formats', () => {
  it('sends Slack an incoming-webhook message with a text fallback and header, fields and context blocks', async () => {
    const slack = await receiver((request) => {
      const problems = slackProblems(jsonOf(request) ?? {});
      return problems.length === 0 ? { status: 200, body: 'ok' } : { status: 400, body: `invalid_blocks: ${problems.join('; ')}` };
    });
    const scenario = await makeScenario(notifier.db, { type: 'slack', url: `${slack.url}/services/T000/B000/XXXX` });
    await notifier.sendAlertEvent({ organizationId: scenario.organizationId, alertEventId: scenario.alertEventId });
    await settledDelivery(notifier.db, scenario.organizationId, 'succeeded');

    const [request] = await slack.waitForRequests(1);
    expect(request!.path).toBe('/services/T000/B000/XXXX');
    const body = jsonOf(request!);
    expect(body.text).toMatch(/payments-api kubernetes is 6 minor versions behind/);
    const [header, summary, facts, context] = body.blocks;
    expect(header).toMatchObject({ type: 'header', text: { type: 'plain_text', text: expect.stringContaining('New critical alert: payments-api kubernetes') } });
    expect(summary.text.text).toContain('deployed v1.2.0, latest v1.8.0');
    const fieldTexts = facts.fields.map((f: { text: string }) => f.text);
    expect(fieldTexts).toEqual(expect.arrayContaining(['*Alert config*\npayments-api kubernetes', '*Severity*\nCritical', '*Deployed*\nv1.2.0', '*Latest*\nv1.8.0', '*Behind by*\n6 minor versions']));
    const link = /<([^|>]+)\|View the alert in Planekeeper>/.exec(context.elements[0].text);
    expect(link?.[1]).toMatch(ALERT_LINK);
    expect(link?.[1]).toContain(scenario.alertId);
  });

  it('escapes what Slack would read as markup in names', async () => {
    const slack = await receiver(() => ({ status: 200, body: 'ok' }));
    const scenario = await makeScenario(notifier.db, { type: 'slack', url: `${slack.url}/hook` }, { configName: 'db <@here> & co' });
    await notifier.sendAlertEvent({ organizationId: scenario.organizationId, alertEventId: scenario.alertEventId });
    await settledDelivery(notifier.db, scenario.organizationId, 'succeeded');
    const body = jsonOf((await slack.waitForRequests(1))[0]!);
    expect(body.text).toContain('db &lt;@here&gt; &amp; co');
    expect(JSON.stringify(body.blocks[2])).not.toContain('<@here>');
  });

  it('sends Discord an embed in the severity colour, green once the alert is resolved, with mentions off', async () => {
    const discord = await receiver((request) => {
      const problems = discordProblems(jsonOf(request) ?? {});
      return problems.length === 0 ? { status: 204 } : { status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 50035, message: problems.join('; ') }) };
    });
    const scenario = await makeScenario(notifier.db, { type: 'discord', url: `${discord.url}/api/webhooks/1/token` });
    await notifier.sendAlertEvent({ organizationId: scenario.organizationId, alertEventId: scenario.alertEventId });
    const resolved = await makeAlertEvent(notifier.db, scenario.organizationId, scenario.alertId, { type: 'resolved', severity: 'critical', deployed_version: 'v1.8.0', latest_version: 'v1.8.0', behind_by: 0 });
    await notifier.sendAlertEvent({ organizationId: scenario.organizationId, alertEventId: resolved.id });
    await waitFor('two delivered', async () => (await deliveriesOf(notifier.db, scenario.organizationId)).filter((d) => d.status === 'succeeded').length === 2);

    const bodies = (await discord.waitForRequests(2)).map(jsonOf);
    const created = bodies.find((b) => b.embeds[0].title.includes('New critical alert'));
    const closed = bodies.find((b) => b.embeds[0].title.includes('Resolved'));
    expect(created.embeds[0]).toMatchObject({ color: 0xd62828, url: expect.stringMatching(ALERT_LINK), timestamp: expect.any(String) });
    expect(created.embeds[0].fields).toEqual(expect.arrayContaining([
      { name: 'Severity', value: 'Critical', inline: true },
      { name: 'Deployed', value: 'v1.2.0', inline: true },
      { name: 'Latest', value: 'v1.8.0', inline: true },
      { name: 'Behind by', value: '6 minor versions', inline: true },
    ]));
    expect(created.allowed_mentions).toEqual({ parse: [] });
    expect(closed.embeds[0].color).toBe(0x2eb67d);
  });

  it('sends Teams a workflow message with an Adaptive Card: title, facts and an Open URL action', async () => {
    const teams = await receiver((request) => {
      const problems = teamsProblems(jsonOf(request) ?? {});
      return problems.length === 0 ? { status: 202 } : { status: 400, body: problems.join('; ') };
    });
    const scenario = await makeScenario(notifier.db, { type: 'teams', url: `${teams.url}/workflows/abc/triggers/manual/paths/invoke?sig=secret` });
    await notifier.sendAlertEvent({ organizationId: scenario.organizationId, alertEventId: scenario.alertEventId });
    await settledDelivery(notifier.db, scenario.organizationId, 'succeeded');

    const card = jsonOf((await teams.waitForRequests(1))[0]!).attachments[0].content;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', weight: 'Bolder', color: 'Attention', text: expect.stringContaining('payments-api kubernetes is 6 minor versions behind') });
    const facts = card.body.find((e: { type: string }) => e.type === 'FactSet').facts;
    expect(facts).toEqual(expect.arrayContaining([{ title: 'Deployed', value: 'v1.2.0' }, { title: 'Latest', value: 'v1.8.0' }, { title: 'Behind by', value: '6 minor versions' }]));
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'View the alert in Planekeeper', url: expect.stringMatching(ALERT_LINK) }]);
  });

  it('signs generic webhooks per Standard Webhooks, with the delivery id as webhook-id and the body schema', async () => {
    const hook = await receiver(() => ({ status: 200 }));
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const scenario = await makeScenario(notifier.db, { type: 'webhook', url: `${hook.url}/planekeeper`, secret });
    await notifier.sendAlertEvent({ organizationId: scenario.organizationId, alertEventId: scenario.alertEventId });
    const delivery = await settledDelivery(notifier.db, scenario.organizationId, 'succeeded');

    const [request] = await hook.waitForRequests(1);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['webhook-id']).toBe(delivery.id);
    expect(verifyStandardWebhook(secret, request!.headers, request!.body)).toBe(true);
    expect(verifyStandardWebhook('whsec_' + Buffer.from('another secret of enough length!').toString('base64'), request!.headers, request!.body)).toBe(false);
    expect(verifyStandardWebhook(secret, request!.headers, request!.body.replace('v1.8.0', 'v1.9.0'))).toBe(false);

    const body = webhookBodySchema.parse(JSON.parse(request!.body));
    expect(body).toMatchObject({
      type: 'alert.created',
      data: {
        alert: { id: scenario.alertId, alertConfigId: scenario.alertConfigId, severity: 'critical', deployedVersion: 'v1.2.0', latestVersion: 'v1.8.0', behindBy: 6, status: 'open', acknowledged: false },
        alertConfig: { id: scenario.alertConfigId, name: 'payments-api kubernetes' },
      },
    });
  });

  it('sends test deliveries as clearly labelled test messages through the same path', async () => {
    const slack = await receiver(() => ({ status: 200, body: 'ok' }));
    const hook = await receiver(() => ({ status: 204 }));
    const secret = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
    const slackScenario = await makeScenario(notifier.db, { type: 'slack', url: `${slack.url}/services/x` });
    const hookScenario = await makeScenario(notifier.db, { type: 'webhook', url: `${hook.url}/hook`, secret });

    const slackTest = await testDelivery(slackScenario.organizationId, slackScenario.channelId);
    const hookTest = await testDelivery(hookScenario.organizationId, hookScenario.channelId);
    await settledDelivery(notifier.db, slackScenario.organizationId, 'succeeded');
    await settledDelivery(notifier.db, hookScenario.organizationId, 'succeeded');

    const slackBody = jsonOf((await slack.waitForRequests(1))[0]!);
    expect(slackProblems(slackBody)).toEqual([]);
    expect(slackBody.blocks[0].text.text).toMatch(/Planekeeper test notification/);
    expect(slackBody.text).toMatch(/test message .*slack channel/);
    const [hookRequest] = await hook.waitForRequests(1);
    expect(verifyStandardWebhook(secret, hookRequest!.headers, hookRequest!.body)).toBe(true);
    expect(hookRequest!.headers['webhook-id']).toBe(hookTest.id);
    expect(webhookTestBodySchema.parse(JSON.parse(hookRequest!.body))).toMatchObject({ type: 'test', data: { channel: { id: hookScenario.channelId } } });
    expect(slackTest.kind).toBe('test');
  });

  it('never logs a channel URL (its path holds the token) or a signing secret', async () => {
    const logs = notifier.logs.join('');
    expect(logs).toContain('"msg":"delivered"');
    const channels = await notifier.db.selectFrom('notification_channels').select(['url', 'secret']).execute();
    for (const channel of channels) {
      expect(logs).not.toContain(new URL(channel.url).pathname);
      if (channel.secret) expect(logs).not.toContain(channel.secret);
    }
  });
});

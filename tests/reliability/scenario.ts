/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are asserted field by field */
import { expect } from '@jest/globals';
import { createProtocolAgent, gatherResult, type ProtocolAgent } from '../support/protocol-agent.ts';
import { eventually, type Stack } from '../support/stack.ts';

// Building blocks of the fault scenarios, all through the public API and the agent protocol.

export const ALL_EVENTS = ['created', 'escalated', 'acknowledged', 'unacknowledged', 'resolved'];
export const ALL_SEVERITIES = ['moderate', 'high', 'critical'];

async function created(answer: Promise<{ status: number; body: any }>, what: string): Promise<any> {
  const { status, body } = await answer;
  if (status !== 201) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** An agent key and an agent that speaks the protocol from the test. */
export async function protocolAgent(stack: Stack, name: string): Promise<{ key: string; agent: ProtocolAgent }> {
  const key = (await created(stack.call('POST', '/api/v1/api-keys', { name: `${name} key`, role: 'agent' }), 'agent key')).key as string;
  const agent = createProtocolAgent({ apiUrl: stack.api().url, key, name, capabilities: ['gather'] });
  await agent.heartbeat();
  return { key, agent };
}

/**
 * A github_release gather job whose first task (made at once by the scheduler) the protocol agent
 * claims and answers with `tags`; returns when the result was accepted (202). Ingestion follows
 * in the taskengine.
 */
export async function gatherJobWithReleases(stack: Stack, agent: ProtocolAgent, name: string, tags: string[]): Promise<{ jobId: string; taskId: string }> {
  const job = await created(stack.call('POST', '/api/v1/gather-jobs', {
    name, sourceType: 'github_release', source: { owner: 'acme', repo: name.replace(/[^a-z0-9-]/gi, '-') }, schedule: '0 0 1 1 *',
  }), 'gather job');
  const task = await eventually(`the first task of ${name}`, async () => {
    const claimed = await agent.claim(1, 2);
    const mine = claimed.find((t) => t.jobId === job.id);
    for (const other of claimed.filter((t) => t !== mine)) await agent.failure(other.id, other.leaseToken, 'not this test\'s task');
    return mine;
  }, 20_000);
  const answer = await agent.result(task.id, task.leaseToken, gatherResult(tags));
  if (answer.status !== 202) throw new Error(`result of ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { jobId: job.id, taskId: task.id };
}

/** Waits until the taskengine has ingested `count` releases of a gather job. */
export async function releasesIngested(stack: Stack, jobId: string, count: number, timeoutMs = 20_000): Promise<void> {
  await eventually(`${count} releases of ${jobId}`, async () => {
    const row = await stack.db.selectFrom('releases').select((eb) => eb.fn.countAll<string>().as('n')).where('gather_job_id', '=', jobId).executeTakeFirstOrThrow();
    return Number(row.n) === count ? true : undefined;
  }, timeoutMs);
}

/** A manual scrape job with its deployed version set. */
export async function manualScrapeJob(stack: Stack, name: string, version: string): Promise<string> {
  const job = await created(stack.call('POST', '/api/v1/scrape-jobs', { name, parser: 'manual' }), 'scrape job');
  const set = await stack.call('PUT', `/api/v1/scrape-jobs/${job.id}/version`, { version });
  expect(set.status).toBeLessThan(300);
  return job.id;
}

export async function minorsRule(stack: Stack): Promise<string> {
  return (await created(stack.call('POST', '/api/v1/rules', { name: `minors ${Math.random().toString(36).slice(2, 7)}`, type: 'minors_behind', moderate: 1, high: 3, critical: 5, stableOnly: true }), 'rule')).id;
}

/** A generic webhook channel with a notification rule sending it every event of every severity. */
export async function webhookChannel(stack: Stack, name: string, url: string): Promise<{ channelId: string; secret: string }> {
  const channel = await created(stack.call('POST', '/api/v1/notification-channels', { name, type: 'webhook', url }), 'channel');
  await created(stack.call('POST', '/api/v1/notification-rules', { name: `${name}: everything`, channelId: channel.id, events: ALL_EVENTS, severities: ALL_SEVERITIES }), 'notification rule');
  return { channelId: channel.id, secret: channel.secret };
}

export async function alertConfig(stack: Stack, name: string, gatherJobId: string, scrapeJobId: string, ruleId: string): Promise<string> {
  return (await created(stack.call('POST', '/api/v1/alert-configs', { name, gatherJobId, scrapeJobId, ruleId }), 'alert config')).id;
}

/** Counts rows of a table, grouped by nothing: for the one-line checks of the scenarios. */
export async function count(stack: Stack, table: 'alerts' | 'alert_events' | 'deliveries' | 'releases' | 'tasks', where: (qb: any) => any = (qb) => qb): Promise<number> {
  const row = await where(stack.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n'))).executeTakeFirstOrThrow();
  return Number(row.n);
}

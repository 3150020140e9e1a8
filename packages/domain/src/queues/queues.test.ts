import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { PlanekeeperError } from '../errors.ts';
import {
  ALL_QUEUES,
  alertEventQueue,
  deadLettersQueue,
  defineQueue,
  evaluateQueue,
  notificationDeadQueue,
  notificationDeliverQueue,
  parsePayload,
  QUEUE_NAME_PATTERN,
  type QueueDefinition,
  taskCompletedQueue,
} from './index.ts';

const ORG = '3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';
const ID = '00000000-0000-0000-0000-000000000002';

describe('queue declarations', () => {
  it('declares the six queues with their names', () => {
    expect(ALL_QUEUES.map((q) => q.name)).toEqual(['dead-letters', 'task.completed', 'evaluate', 'alert.event', 'notification.dead', 'notification.deliver']);
  });

  it('every name is one pg-boss accepts and unique', () => {
    for (const queue of ALL_QUEUES) expect(queue.name).toMatch(QUEUE_NAME_PATTERN);
    expect(new Set(ALL_QUEUES.map((q) => q.name)).size).toBe(ALL_QUEUES.length);
  });

  it('a dead-letter queue is declared before the queue that names it', () => {
    const order = ALL_QUEUES.map((q) => q.name);
    for (const queue of ALL_QUEUES) {
      if (queue.options.deadLetter !== undefined) {
        expect(order.indexOf(queue.options.deadLetter)).toBeGreaterThanOrEqual(0);
        expect(order.indexOf(queue.options.deadLetter)).toBeLessThan(order.indexOf(queue.name));
      }
    }
  });

  it('deliveries dead-letter into notification.dead; every other queue into dead-letters, which nobody works', () => {
    expect(notificationDeliverQueue.options.deadLetter).toBe(notificationDeadQueue.name);
    for (const queue of [taskCompletedQueue, evaluateQueue, alertEventQueue, notificationDeadQueue]) expect(queue.options.deadLetter).toBe(deadLettersQueue.name);
    expect(deadLettersQueue.options.deadLetter).toBeUndefined();
    expect(deadLettersQueue.consumer).toBeUndefined();
  });

  it('every other queue declares how it is consumed', () => {
    for (const queue of ALL_QUEUES.filter((q) => q !== deadLettersQueue)) {
      expect(queue.consumer).toEqual(expect.objectContaining({ batchSize: expect.any(Number), concurrency: expect.any(Number), pollingIntervalSeconds: expect.any(Number) }));
    }
    expect(Object.isFrozen(notificationDeliverQueue.consumer)).toBe(true);
  });

  it('options are sane pg-boss settings and frozen', () => {
    for (const { options } of ALL_QUEUES) {
      expect(options.retryLimit).toBeGreaterThanOrEqual(0);
      expect(options.expireInSeconds).toBeGreaterThanOrEqual(1);
      expect(options.policy).toBe('standard');
    }
    expect(Object.isFrozen(evaluateQueue.options)).toBe(true);
  });
});

describe('payloads', () => {
  it.each<[string, QueueDefinition, unknown]>([
    [taskCompletedQueue.name, taskCompletedQueue, { organizationId: ORG, taskId: ID }],
    [evaluateQueue.name, evaluateQueue, { organizationId: ORG, reason: 'gather_completed', target: { gatherJobId: ID } }],
    [evaluateQueue.name, evaluateQueue, { organizationId: ORG, reason: 'alert_config_changed', target: { alertConfigId: ID } }],
    [evaluateQueue.name, evaluateQueue, { organizationId: ORG, reason: 'manual_version', target: { scrapeJobId: ID } }],
    [evaluateQueue.name, evaluateQueue, { organizationId: ORG, reason: 'rule_changed', target: { ruleId: ID } }],
    [alertEventQueue.name, alertEventQueue, { organizationId: ORG, alertEventId: ID }],
    [notificationDeliverQueue.name, notificationDeliverQueue, { organizationId: ORG, deliveryId: ID }],
    [notificationDeadQueue.name, notificationDeadQueue, { organizationId: ORG, deliveryId: ID }],
  ])('%s accepts case %#', (_name, queue, payload) => {
    expect(parsePayload(queue, payload)).toEqual(payload);
  });

  it.each<[string, QueueDefinition, unknown, RegExp]>([
    [taskCompletedQueue.name, taskCompletedQueue, { organizationId: ORG }, /taskId/],
    [taskCompletedQueue.name, taskCompletedQueue, { organizationId: 'acme', taskId: ID }, /organizationId/],
    [evaluateQueue.name, evaluateQueue, { organizationId: ORG, reason: 'x', target: { gatherJobId: ID, ruleId: ID } }, /target/],
    [evaluateQueue.name, evaluateQueue, { organizationId: ORG, reason: 'x', target: {} }, /target/],
    [evaluateQueue.name, evaluateQueue, { organizationId: ORG, reason: '', target: { ruleId: ID } }, /reason/],
    [alertEventQueue.name, alertEventQueue, { organizationId: ORG, alertEventId: ID, extra: true }, /extra/],
    [notificationDeliverQueue.name, notificationDeliverQueue, null, /expected object/],
  ])('%s refuses case %#', (_name, queue, payload, message) => {
    expect(() => parsePayload(queue, payload)).toThrow(message);
  });

  it('the error names the queue and is validation_failed with details', () => {
    try {
      parsePayload(notificationDeliverQueue, { organizationId: ORG });
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(PlanekeeperError);
      const e = error as PlanekeeperError;
      expect(e.code).toBe('validation_failed');
      expect(e.message).toMatch(/^Invalid payload for queue "notification.deliver": deliveryId: /);
      expect(e.details.map((d) => d.path)).toEqual(['deliveryId']);
    }
  });
});

describe('defineQueue', () => {
  const options = { policy: 'standard', retryLimit: 1, retryDelay: 1, retryBackoff: false, expireInSeconds: 60 } as const;

  it.each(['a', 'team/task.completed', 'x-y_z.1'])('accepts the name %j', (name) => {
    expect(defineQueue({ name, description: 'd', schema: z.object({}), options }).name).toBe(name);
  });

  it.each(['', 'has space', 'semi;colon', 'émoji'])('refuses the name %j', (name) => {
    expect(() => defineQueue({ name, description: 'd', schema: z.object({}), options })).toThrow(/may only hold/);
  });

  it.each([
    [{ batchSize: 0 }, /batchSize/],
    [{ concurrency: 1.5 }, /concurrency/],
    [{ pollingIntervalSeconds: 0.1 }, /pollingIntervalSeconds/],
  ])('refuses consumer settings %j', (bad, message) => {
    const consumer = { batchSize: 1, concurrency: 1, batch: 'sequential', pollingIntervalSeconds: 2, ...bad } as const;
    expect(() => defineQueue({ name: 'q', description: 'd', schema: z.object({}), options, consumer })).toThrow(message);
  });

  it('refuses a queue that is its own dead letter', () => {
    expect(() => defineQueue({ name: 'q', description: 'd', schema: z.object({}), options: { ...options, deadLetter: 'q' } })).toThrow(/own dead-letter/);
  });
});

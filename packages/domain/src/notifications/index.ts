export * from './backoff.ts';
export * from './delivery-step.ts';

export * from './versions/index.ts';
export * from './rules/index.ts';
export * from './alerts/index.ts';
export * from './schemas/index.ts';
export * from './queues/index.ts';
export * from './schedule/index.ts';
export * from './notifications/index.ts';
export * from './errors.ts';

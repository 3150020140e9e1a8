export * from './alert-lifecycle.ts';

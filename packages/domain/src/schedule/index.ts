export * from './next-run.ts';

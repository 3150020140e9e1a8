export { createTestDatabase, type TestDatabase } from './test-database.ts';
export { TEST_ENV, withDatabase } from './template.ts';
export * from './factories.ts';

import preset from '../jest.preset.js';

export default {
  ...preset,
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/../packages/db/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/../packages/db/src/testing/global-teardown.ts',
  testTimeout: 120_000,
};

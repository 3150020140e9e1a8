import preset from '../../jest.preset.js';

export default {
  ...preset,
  globalSetup: '<rootDir>/../../packages/db/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/../../packages/db/src/testing/global-teardown.ts',
};

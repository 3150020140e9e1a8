import preset from '../../jest.preset.js';

export default {
  ...preset,
  globalSetup: '<rootDir>/../db/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/../db/src/testing/global-teardown.ts',
};

/**
 * Four projects: unit (beside the code, no servers), service (one service's module on the real
 * local stores, its neighbours faked), integration (every service, real local servers) and faults
 * (a flash sale under faults, on a whole stack of its own that it crashes and restarts).
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,gateway,user,brand,product,order,payment,cron-jobs}/**/src/**/*.spec.ts'],
    },
    {
      // one service's Nest module on the real local stores, its neighbours faked
      ...common,
      displayName: 'service',
      testMatch: ['<rootDir>/{user,brand,product,order,payment}/test/**/*.service.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.int.spec.ts', '<rootDir>/*/test/**/*.int.spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      setupFiles: ['<rootDir>/test/setup-env.ts'],
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.fault.spec.ts'] },
  ],
};

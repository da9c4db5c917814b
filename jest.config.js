/** Three tiers: *.spec.ts pure, *.int-spec.ts real PostgreSQL/Redis, *.e2e-spec.ts over HTTP. */
const moduleNameMapper = {
  '^@qianqi/workflows$': '<rootDir>/workflows/src',
  '^@qianqi/workflows/(.*)$': '<rootDir>/workflows/src/$1',
  '^@qianqi/(domain|calendar|persistence|engine|auth|config|escalation|audit|queue)$': '<rootDir>/libs/$1/src',
};
const common = {
  rootDir: __dirname,
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  moduleNameMapper,
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/test-env.ts'],
};
module.exports = {
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,workflows}/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/**/*.int-spec.ts'], testPathIgnorePatterns: ['/node_modules/'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/**/*.e2e-spec.ts'], testPathIgnorePatterns: ['/node_modules/'] },
  ],
};

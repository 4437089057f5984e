/** One jest run for unit (*.spec.ts), integration (*.int-spec.ts) and end-to-end (*.e2e-spec.ts) tests.
 * PostgreSQL comes from DATABASE_URL, or an embedded server that test/global-setup.ts starts. */
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testRegex: '.*\\.(spec|int-spec|e2e-spec)\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/fault/'],
  modulePathIgnorePatterns: ['<rootDir>/libs/client/dist/'],
  transform: {
    '^.+\\.ts$': 'ts-jest',
    '/node_modules/@nestjs/.+\\.js$': '<rootDir>/test/esm-to-commonjs.transform.js',
  },
  // NestJS 12 ships ES modules only; see test/esm-to-commonjs.transform.js.
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    ...pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
    // libs/client is an ES module package: its relative imports name the .js files they compile to.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60000,
};

/** The fault tests: real processes, a real PostgreSQL stopped and started, bounded load. */
const base = require('../../jest.config.js');

module.exports = {
  ...base,
  rootDir: '../..',
  testRegex: 'test/fault/.*\\.fault-spec\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 300000,
};

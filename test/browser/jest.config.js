/** The console in a real browser: Debian's chromium, driven by playwright-core, against the
 * compiled service started as `npm start` starts it (PostgreSQL embedded, board simulator). */
const base = require('../../jest.config.js');

module.exports = {
  ...base,
  rootDir: '../..',
  testRegex: 'test/browser/.*\\.browser-spec\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 300000,
};

/**
 * The restore drill: a ledger on a real PostgreSQL server (LEDGER_DRILL_SOURCE_URL), backed up
 * and restored into fresh clusters the test starts with that server's own tools
 * (LEDGER_DRILL_PG_BIN: initdb, pg_ctl, pg_dump, pg_restore, pg_basebackup). `.ci/run` runs it
 * against the machine's PostgreSQL.
 */
const base = require('../../jest.config.js');

module.exports = {
  ...base,
  rootDir: '../..',
  testRegex: 'test/restore/.*\\.drill-spec\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 300000,
};

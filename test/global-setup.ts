import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '../libs/database/src';

declare global {
  var __LEDGER_EMBEDDED_PG__: RunningPostgres | undefined;
}

/**
 * The PostgreSQL server of the test run: DATABASE_URL when set (every test file then makes
 * its own database on that server), otherwise an embedded server in a fresh temporary folder.
 * Its URL reaches the test workers through TEST_POSTGRES_URL.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_POSTGRES_URL = process.env.DATABASE_URL;
    process.env.TEST_POSTGRES_KIND = 'external';
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-test-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir, port: 0, persistent: false });
  globalThis.__LEDGER_EMBEDDED_PG__ = pg;
  process.env.TEST_POSTGRES_URL = pg.url;
  process.env.TEST_POSTGRES_KIND = 'embedded';
}

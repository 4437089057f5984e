import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '../libs/database/src';

declare global {
  var __LEDGER_EMBEDDED_PG__: RunningPostgres[] | undefined;
}

/**
 * The PostgreSQL servers of the test run: DATABASE_URL when set (every test file then makes its
 * own database on that server), otherwise one embedded server per jest worker, each in a fresh
 * temporary folder. (Readers of the log wait only for appends in progress in their own
 * database, so a test holding one open on purpose delays no other test; a server per worker
 * keeps each worker's load and its server's log apart.)
 * URLs reach the workers through TEST_POSTGRES_URL and TEST_POSTGRES_URL_<worker id>.
 */
export default async function globalSetup(globalConfig: { maxWorkers?: number }): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_POSTGRES_URL = process.env.DATABASE_URL;
    process.env.TEST_POSTGRES_KIND = 'external';
    return;
  }
  const workers = Math.max(1, globalConfig.maxWorkers ?? 1);
  const servers = await Promise.all(
    Array.from({ length: workers }, () =>
      startEmbeddedPostgres({
        dataDir: mkdtempSync(join(tmpdir(), 'ledger-test-pg-')),
        port: 0,
        persistent: false,
      }),
    ),
  );
  globalThis.__LEDGER_EMBEDDED_PG__ = servers;
  servers.forEach((pg, i) => (process.env[`TEST_POSTGRES_URL_${i + 1}`] = pg.url));
  process.env.TEST_POSTGRES_URL = servers[0]!.url;
  process.env.TEST_POSTGRES_KIND = 'embedded';
}

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, dropDatabase, startEmbeddedPostgres } from '@ledger/database';

export interface BenchDatabase {
  /** Connection string of the fresh database. */
  url: string;
  /** 'embedded' (started for this run) or 'external' (DATABASE_URL). */
  server: 'embedded' | 'external';
  /** Drops the database, and stops the embedded server and removes its files. */
  dispose(): Promise<void>;
}

/**
 * A fresh, empty database for one benchmark: on DATABASE_URL's server when set (created here,
 * dropped by dispose), otherwise on an embedded PostgreSQL in a new temporary folder.
 */
export async function benchDatabase(label: string): Promise<BenchDatabase> {
  const name = `bench_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const external = process.env.DATABASE_URL;
  if (external) {
    const url = await createDatabase(external, name);
    return { url, server: 'external', dispose: () => dropDatabase(external, name) };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-bench-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir, port: 0, persistent: false });
  try {
    const url = await createDatabase(pg.url, name);
    return {
      url,
      server: 'embedded',
      dispose: async () => {
        try {
          await pg.stop();
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await pg.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

import { join, resolve } from 'node:path';
import { createDatabase, databaseUrl } from './databases';
import { Client } from 'pg';
import { embeddedServerUrl, startEmbeddedPostgres } from './embedded-postgres';

export interface ResolvedDatabase {
  /** Connection string of the ledger's database. */
  url: string;
  kind: 'external' | 'embedded';
  /** Stops the embedded server (a no-op for an external one). */
  stop(): Promise<void>;
}

export interface ResolveDatabaseOptions {
  /** DATABASE_URL: when set, that server and database are used as they are. */
  databaseUrl?: string;
  /** Where the embedded server keeps its data between runs. */
  dataDir: string;
  /** The embedded server's port. */
  port: number;
  database?: string;
  log?: (line: string) => void;
}

/**
 * DATABASE_URL when configured; otherwise the embedded PostgreSQL server, with its data kept
 * under `dataDir/postgres` between runs and a `ledger` database on it.
 */
export async function resolveDatabase(options: ResolveDatabaseOptions): Promise<ResolvedDatabase> {
  if (options.databaseUrl) {
    return { url: options.databaseUrl, kind: 'external', stop: async () => undefined };
  }
  const name = options.database ?? 'ledger';
  // A server left running on this folder by a process that was killed: use it as it is.
  const running = await runningEmbeddedServer(options.port);
  if (running) {
    await createDatabase(running, name);
    return { url: databaseUrl(running, name), kind: 'embedded', stop: async () => undefined };
  }
  const server = await startEmbeddedPostgres({
    dataDir: join(resolve(options.dataDir), 'postgres'),
    port: options.port,
    persistent: true,
    log: options.log,
  });
  await createDatabase(server.url, name);
  return { url: databaseUrl(server.url, name), kind: 'embedded', stop: () => server.stop() };
}

async function runningEmbeddedServer(port: number): Promise<string | undefined> {
  if (port === 0) return undefined;
  const url = embeddedServerUrl(port);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return url;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

import { join, resolve } from 'node:path';
import { Client } from 'pg';
import {
  embeddedServerUrl,
  readCredentials,
  replaceLegacyPassword,
  startEmbeddedPostgres,
  superuserPassword,
  type EmbeddedCredentials,
} from './embedded-postgres';
import { ensureLedgerDatabase } from './roles';

export interface ResolvedDatabase {
  /** The service's connection string: the role the ledger runs as. */
  url: string;
  /**
   * The owner's connection string, which applies migrations and grants the service its
   * privileges: the embedded server's owner role, or DATABASE_OWNER_URL; undefined when only
   * DATABASE_URL is configured (then that role is both).
   */
  ownerUrl: string | undefined;
  kind: 'external' | 'embedded';
  /** Stops the embedded server (a no-op for an external one). */
  stop(): Promise<void>;
}

export interface ResolveDatabaseOptions {
  /** DATABASE_URL: when set, that server and database are used as they are. */
  databaseUrl?: string;
  /** DATABASE_OWNER_URL: the owner of that database, for migrations. */
  ownerUrl?: string;
  /** Where the embedded server keeps its data between runs. */
  dataDir: string;
  /** The embedded server's port. */
  port: number;
  database?: string;
  log?: (line: string) => void;
}

/**
 * DATABASE_URL (and DATABASE_OWNER_URL) when configured; otherwise the embedded PostgreSQL
 * server, with its data kept under `dataDir/postgres` between runs, a `ledger` database on it
 * owned by the `ledger_owner` role, and the `ledger_service` role the ledger runs as. Their
 * generated passwords are kept in `dataDir/postgres/credentials.json` (mode 0600).
 */
export async function resolveDatabase(options: ResolveDatabaseOptions): Promise<ResolvedDatabase> {
  if (options.databaseUrl) {
    return {
      url: options.databaseUrl,
      ownerUrl: options.ownerUrl,
      kind: 'external',
      stop: async () => undefined,
    };
  }
  const name = options.database ?? 'ledger';
  const dataDir = join(resolve(options.dataDir), 'postgres');
  // A server left running on this folder by a process that was killed: use it as it is.
  const running = await runningEmbeddedServer(options.port, dataDir);
  const server = running
    ? undefined
    : await startEmbeddedPostgres({
        dataDir,
        port: options.port,
        persistent: true,
        log: options.log,
      });
  const superuserUrl = running?.url ?? server!.url;
  const credentials = running?.credentials ?? server!.credentials;
  const { ownerUrl, serviceUrl } = await ensureLedgerDatabase(superuserUrl, name, credentials);
  return {
    url: serviceUrl,
    ownerUrl,
    kind: 'embedded',
    stop: server ? () => server.stop() : async () => undefined,
  };
}

/** A server running on the port with this folder's superuser password, if there is one. */
async function runningEmbeddedServer(
  port: number,
  dataDir: string,
): Promise<{ url: string; credentials: EmbeddedCredentials } | undefined> {
  if (port === 0) return undefined;
  const client = new Client({
    connectionString: embeddedServerUrl(port, superuserPassword(dataDir)),
    connectionTimeoutMillis: 1000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
  const credentials = readCredentials(dataDir) ?? (await replaceLegacyPassword(dataDir, port));
  return { url: embeddedServerUrl(port, credentials.superuser), credentials };
}

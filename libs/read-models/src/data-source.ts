import type { Pool } from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';
import { ProjectionState } from './entities/projection-state.entity';
import { ProjectionState1764300000000 } from './migrations/1764300000000-projection-state';
import { ProjectionQuarantine1764900000000 } from './migrations/1764900000000-projection-quarantine';

/** Tables of another lib for the same data source: its entities and the migrations making them. */
export interface TableSet {
  entities: readonly (new () => object)[];
  migrations: readonly (new () => MigrationInterface)[];
}

/**
 * A TypeORM data source with the read side's `projection_state` and the tables given (the
 * process's one, with every lib's operational tables, is `openLedgerDataSource` in
 * @ledger/runtime); its migrations run on start, under one advisory lock.
 */
export interface ReadModelsOptions {
  /** Other libs' tables (the ledger's, the feed's, the audit tree's). */
  tables?: readonly TableSet[];
  poolSize?: number;
  /** The pool's application_name. */
  name?: string;
  /**
   * Settings of every session of the pool (pg pool options, e.g. `eventStoreSessionSettings`):
   * the pool is the process's one, shared with the event store (see `poolOf`).
   */
  sessionSettings?: Record<string, number | string>;
}

export function readModelDataSource(url: string, options: ReadModelsOptions = {}): DataSource {
  if (options.poolSize !== undefined && options.poolSize < 2) {
    throw new RangeError(
      `poolSize ${options.poolSize}: at least 2 connections, as the migrations' lock holds one ` +
        'while they run on another',
    );
  }
  const tables = options.tables ?? [];
  return new DataSource({
    type: 'postgres',
    url,
    entities: [ProjectionState, ...tables.flatMap((t) => t.entities)],
    migrations: [
      ProjectionState1764300000000,
      ProjectionQuarantine1764900000000,
      ...tables.flatMap((t) => t.migrations),
    ],
    migrationsTableName: 'read_model_migrations',
    migrationsTransactionMode: 'all',
    poolSize: options.poolSize ?? 10,
    applicationName: options.name ?? 'cme-ledger-read-models',
    ...(options.sessionSettings ? { extra: options.sessionSettings } : {}),
    logging: false,
  });
}

/** Initializes the data source and runs its migrations (safe from two processes at once). */
export async function openReadModels(
  url: string,
  options: ReadModelsOptions = {},
): Promise<DataSource> {
  const dataSource = readModelDataSource(url, options);
  await dataSource.initialize();
  keepBrokenConnectionsFromCrashing(poolOf(dataSource));
  // TypeORM takes no lock of its own for migrations: serialise starting processes here.
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query(`SELECT pg_advisory_lock(hashtext('cme-ledger/read-models/migrations'))`);
    try {
      await dataSource.runMigrations({ transaction: 'all' });
    } finally {
      await runner.query(
        `SELECT pg_advisory_unlock(hashtext('cme-ledger/read-models/migrations'))`,
      );
    }
  } finally {
    await runner.release();
  }
  return dataSource;
}

/**
 * pg's pool listens for a connection's errors only while the connection is idle: one checked
 * out (a lease's session, a transaction) that PostgreSQL closes (a restart) emits 'error' with
 * no listener, and Node ends the process. Each connection gets a listener when first checked
 * out; its holder still sees the break as its next query failing, and the pool drops the
 * connection when it is released.
 */
function keepBrokenConnectionsFromCrashing(pool: Pool): void {
  const guarded = new WeakSet<object>();
  pool.on('acquire', (client) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', () => undefined);
  });
}

/**
 * The pg pool under an initialized data source: the process's one pool, which the event store
 * and the operational tables (idempotency, personal-data keys) use too. The data source owns
 * it: `destroy()` ends it.
 */
export function poolOf(dataSource: DataSource): Pool {
  const { master } = dataSource.driver as unknown as { master?: Pool };
  if (!master)
    throw new Error('the read models data source is not initialized: it has no pool yet');
  return master;
}

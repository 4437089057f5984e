import { DataSource } from 'typeorm';
import { ProjectionState } from './entities/projection-state.entity';
import { ProjectionState1764300000000 } from './migrations/1764300000000-projection-state';
import { ProjectionQuarantine1764900000000 } from './migrations/1764900000000-projection-quarantine';

/** The read side's TypeORM data source; its migrations run on start, under TypeORM's own lock. */
export function readModelDataSource(
  url: string,
  options: { poolSize?: number; name?: string } = {},
): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: [ProjectionState],
    migrations: [ProjectionState1764300000000, ProjectionQuarantine1764900000000],
    migrationsTableName: 'read_model_migrations',
    migrationsTransactionMode: 'all',
    poolSize: options.poolSize ?? 10,
    applicationName: options.name ?? 'cme-ledger-read-models',
    logging: false,
  });
}

/** Initializes the data source and runs the read side's migrations (safe from two processes at once). */
export async function openReadModels(
  url: string,
  options: { poolSize?: number; name?: string } = {},
): Promise<DataSource> {
  const dataSource = readModelDataSource(url, options);
  await dataSource.initialize();
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

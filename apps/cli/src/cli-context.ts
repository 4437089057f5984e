import { join, resolve } from 'node:path';
import type { ResolvedDatabase } from '@ledger/database';
import { createEventStore, eventStoreSessionSettings, type EventStore } from '@ledger/event-store';
import { poolOf } from '@ledger/read-models';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import {
  eventStoreOptions,
  type LedgerConfig,
  openDatabase,
  openLedgerDataSource,
} from '@ledger/runtime';

/**
 * Connections of the CLI's one pool: a command reads the log, the read models and the
 * operational tables, a few at a time.
 */
export const CLI_POOL_SIZE = 4;

/**
 * The ledger the CLI works on, as configured for the API (DATABASE_URL, or the embedded server
 * under LEDGER_DATA_DIR, started here if it is not running), migrated by the owner when its
 * connection is known: opened on first use, closed once. One pg pool, as in the API and the
 * worker: the data source opens it, the event store, the log's tree and the personal-data keys
 * share it.
 */
export class CliContext {
  private database: Promise<ResolvedDatabase> | undefined;
  private store: Promise<EventStore> | undefined;
  private readModels: Promise<DataSource> | undefined;

  constructor(readonly config: LedgerConfig) {}

  async databaseUrl(): Promise<string> {
    return (await this.resolvedDatabase()).url;
  }

  /** The service's and (when known) the owner's connections. */
  resolvedDatabase(): Promise<ResolvedDatabase> {
    this.database ??= openDatabase(this.config);
    return this.database;
  }

  /** Where the embedded server keeps its cluster (as resolveDatabase lays it out). */
  embeddedServer(): { dataDir: string; pgdata: string; port: number } {
    const dataDir = join(resolve(this.config.dataDir), 'postgres');
    return { dataDir, pgdata: join(dataDir, 'pgdata'), port: this.config.embeddedPostgresPort };
  }

  /** Work on this database (a server the command started itself); closed with the context. */
  useDatabase(database: ResolvedDatabase): void {
    this.database = Promise.resolve(database);
  }

  async eventStore(): Promise<EventStore> {
    this.store ??= Promise.all([this.databaseUrl(), this.pool()]).then(([url, pool]) =>
      createEventStore({ ...eventStoreOptions(this.config, url), postgresPool: pool }),
    );
    return this.store;
  }

  /** The process's TypeORM data source: read models and operational tables. */
  async readModelsSource(): Promise<DataSource> {
    this.readModels ??= this.databaseUrl().then((url) =>
      openLedgerDataSource(url, {
        name: 'cme-ledger-cli',
        poolSize: CLI_POOL_SIZE,
        sessionSettings: eventStoreSessionSettings(eventStoreOptions(this.config, url)),
      }),
    );
    return this.readModels;
  }

  /** The process's one pg pool (the data source's; it ends with it). */
  async pool(): Promise<Pool> {
    return poolOf(await this.readModelsSource());
  }

  async close(): Promise<void> {
    const settle = async <T>(p: Promise<T> | undefined, close: (v: T) => Promise<unknown>) => {
      if (!p) return;
      try {
        await close(await p);
      } catch {
        // Opening failed: the error was reported by the command itself.
      }
    };
    await settle(this.store, (s) => s.close());
    await settle(this.readModels, (d) => d.destroy());
    await settle(this.database, (d) => d.stop());
  }
}

import { join, resolve } from 'node:path';
import type { ResolvedDatabase } from '@ledger/database';
import { createEventStore, type EventStore } from '@ledger/event-store';
import { openReadModels } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import { eventStoreOptions, type LedgerConfig, openDatabase } from '@ledger/runtime';

/**
 * The ledger the CLI works on, as configured for the API (DATABASE_URL, or the embedded server
 * under LEDGER_DATA_DIR, started here if it is not running), migrated by the owner when its
 * connection is known: opened on first use, closed once.
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
    this.store ??= this.databaseUrl().then((url) =>
      createEventStore(eventStoreOptions(this.config, url)),
    );
    return this.store;
  }

  async readModelsSource(): Promise<DataSource> {
    this.readModels ??= this.databaseUrl().then((url) =>
      openReadModels(url, { name: 'cme-ledger-cli', poolSize: 2 }),
    );
    return this.readModels;
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

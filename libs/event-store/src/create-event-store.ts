import type { Pool } from 'pg';
import type { EventStore } from './event-store.port';
import { PostgresEventStore } from './postgres/postgres-event-store';

export type EventStoreKind = 'postgres' | 'eventstoredb';

export interface CreateEventStoreOptions {
  kind: EventStoreKind;
  /** The PostgreSQL database (the default adapter). */
  postgresUrl: string;
  /** The process's one pool, for the PostgreSQL adapter to share (see PostgresEventStoreOptions). */
  postgresPool?: Pool;
  /** EVENTSTORE_CONNECTION_STRING, for kind eventstoredb: credentials and TLS go in it. */
  eventStoreDbConnectionString?: string;
  /** The PostgreSQL store's session timeouts (see PostgresEventStoreOptions). */
  statementTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
  /** EVENTSTORE_CLAIM_STREAM_PREFIX, for kind eventstoredb. Default `$ledger-id-`. */
  eventStoreDbClaimStreamPrefix?: string;
}

/** The adapter selected by configuration (EVENT_STORE). */
export async function createEventStore(options: CreateEventStoreOptions): Promise<EventStore> {
  switch (options.kind) {
    case 'postgres':
      return PostgresEventStore.create({
        connectionString: options.postgresUrl,
        ...(options.postgresPool ? { pool: options.postgresPool } : {}),
        statementTimeoutMs: options.statementTimeoutMs,
        idleInTransactionTimeoutMs: options.idleInTransactionTimeoutMs,
      });
    case 'eventstoredb': {
      if (!options.eventStoreDbConnectionString) {
        throw new Error('the eventstoredb adapter needs EVENTSTORE_CONNECTION_STRING');
      }
      const { EventStoreDbEventStore } = await import('./eventstoredb/eventstoredb-event-store');
      return EventStoreDbEventStore.create({
        connectionString: options.eventStoreDbConnectionString,
        ...(options.eventStoreDbClaimStreamPrefix === undefined
          ? {}
          : { idClaimStreamPrefix: options.eventStoreDbClaimStreamPrefix }),
      });
    }
    default: {
      const never: never = options.kind;
      throw new Error(`unknown event store ${String(never)}`);
    }
  }
}

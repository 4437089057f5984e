import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '../event-store.port';
import type { ContractHarness } from '../testing/event-store.contract';
import type { PostgresEventStore } from './postgres-event-store';

/**
 * The contract's harness on a PostgreSQL store: an abandoned append is a rolled-back
 * transaction, one held open is a transaction that commits after `holdMs`.
 */
export function postgresContractHarness(
  store: PostgresEventStore,
  options: { ownEvent?: (event: RecordedEvent) => boolean; dispose: () => Promise<void> },
): ContractHarness {
  const run = randomUUID().slice(0, 8);
  return {
    store,
    async appendThenAbandon(streamName, events) {
      const client = await store.pool.connect();
      try {
        await client.query('BEGIN');
        await store.appendWith(client, streamName, events).catch(() => undefined);
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
    },
    async appendHeldOpen(streamName, events, holdMs) {
      const client = await store.pool.connect();
      try {
        await client.query('BEGIN');
        const result = await store.appendWith(client, streamName, events);
        await new Promise((r) => setTimeout(r, holdMs));
        await client.query('COMMIT');
        return result;
      } finally {
        client.release();
      }
    },
    ownEvent: options.ownEvent ?? (() => true),
    streamName: (label) => `${label}-${run}-${randomUUID().slice(0, 8)}`,
    async dispose() {
      await store.close();
      await options.dispose();
    },
  };
}

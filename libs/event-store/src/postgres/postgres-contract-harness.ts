import { randomUUID } from 'node:crypto';
import type { ClientBase } from 'pg';
import type { RecordedEvent } from '../event-store.port';
import type { ContractHarness } from '../testing/event-store.contract';
import type { PostgresEventStore } from './postgres-event-store';

/**
 * Begins a transaction that a test holds open on purpose, for as long as the test takes.
 *
 * The store's sessions end a transaction left idle longer than
 * `idle_in_transaction_session_timeout` (10 s by default, `eventStoreSessionSettings`): the
 * bound a stuck client needs. A test that holds an append open while its other steps run is
 * idle in its transaction for as long as those steps take, which on a loaded machine can be
 * longer than that: the server then ends the session, and the test fails (or its process dies
 * of the connection's error) for a reason that has nothing to do with what it proves. Here the
 * timeout is off for this one transaction (SET LOCAL): the test ends it, and the connection
 * goes back to the pool with the store's settings. The tests that prove the bound itself use
 * a store opened with a short timeout instead (read-horizon.int-spec.ts).
 */
export async function beginHeldTransaction(client: ClientBase): Promise<void> {
  await client.query('BEGIN');
  await client.query('SET LOCAL idle_in_transaction_session_timeout = 0');
}

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
        await beginHeldTransaction(client);
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

import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { freshDatabase } from '../../../../test/support/test-database';
import { PositionEpochError } from '../errors';
import type { RecordedEvent } from '../event-store.port';
import {
  eventStoreContract,
  newEvent,
  type ContractHarness,
} from '../testing/event-store.contract';
import { postgresContractHarness } from './postgres-contract-harness';
import { PostgresEventStore } from './postgres-event-store';

type Database = Awaited<ReturnType<typeof freshDatabase>>;

/**
 * What a logical restore into a new cluster leaves: a log whose positions were given by a
 * cluster whose transaction ids ran far ahead of this one's. Here a log is written, then its
 * positions are moved up by `ahead` transaction ids, as a superuser who sets the immutability
 * triggers aside (the hash chain does not cover positions, so it still verifies).
 */
async function restoredLog(
  url: string,
  ahead: bigint,
): Promise<{ streams: string[]; head: bigint }> {
  const store = await PostgresEventStore.create({ connectionString: url });
  const streams = [`restored-a-${randomUUID()}`, `restored-b-${randomUUID()}`];
  try {
    for (const s of streams) {
      await store.append(s, [newEvent(), newEvent()]);
      await store.append(s, [newEvent()]);
    }
  } finally {
    await store.close();
  }
  const superuser = new Client({ connectionString: url });
  await superuser.connect();
  try {
    await superuser.query('BEGIN');
    await superuser.query('ALTER TABLE events DISABLE TRIGGER USER');
    await superuser.query('UPDATE events SET position = position + ($1::bigint << 20)', [
      ahead.toString(),
    ]);
    await superuser.query('ALTER TABLE events ENABLE TRIGGER USER');
    await superuser.query('UPDATE streams SET last_position = last_position + ($1::bigint << 20)', [
      ahead.toString(),
    ]);
    await superuser.query('COMMIT');
    const { rows } = await superuser.query<{ head: string }>(
      'SELECT max(position)::text AS head FROM events',
    );
    return { streams, head: BigInt(rows[0]!.head) };
  } finally {
    await superuser.end();
  }
}

/** Transaction ids far ahead of any test server's: a cluster that ran for years. */
const YEARS_OF_TRANSACTIONS = 1n << 33n;

describe('position epochs: a log restored into a cluster whose transaction ids are behind it', () => {
  let db: Database;
  beforeAll(async () => {
    db = await freshDatabase('epoch');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('raises the epoch at start-up, so that new events sort after the restored head and readers see them', async () => {
    const running = await PostgresEventStore.create({ connectionString: db.url });
    const { streams, head } = await restoredLog(db.url, YEARS_OF_TRANSACTIONS);
    const [a, b] = streams as [string, string];
    try {
      // A process that was already running cannot tell for a new stream, but it can for an
      // existing one: it refuses, naming the fix, rather than retry until it gives up.
      await expect(running.append(a, [newEvent()])).rejects.toMatchObject({
        code: '55000',
        message: expect.stringMatching(/after every position this cluster can give/),
      });
    } finally {
      await running.close();
    }

    const store = await PostgresEventStore.create({ connectionString: db.url });
    try {
      expect(store.positionEpoch).toEqual(
        expect.objectContaining({ epoch: 1, raised: true, logHead: head }),
      );
      const before = await readAllShowing(store, { maxCount: 1000 }, (page) =>
        page.some((e) => e.position === head),
      );
      expect(before.map((e) => e.position)).toContain(head);
      const old = await store.append(a, [newEvent()], { expectedRevision: 2n });
      const fresh = newEvent();
      const created = await store.append(`new-${randomUUID()}`, [fresh]);
      expect(old.nextRevision).toBe(3n);
      expect(old.position > head).toBe(true);
      expect(created.position > head).toBe(true);
      const after = await readAllShowing(store, { after: head }, (page) => page.length >= 2);
      expect(after.map((e) => e.position)).toEqual([old.position, created.position]);
      expect((await store.readStream(b)).length).toBe(3);
      expect((await store.verifyAll()).ok).toBe(true);

      const { rows } = await store.pool.query<{ epoch: number; reason: string }>(
        'SELECT epoch, reason FROM event_store_epochs ORDER BY epoch',
      );
      expect(rows.map((r) => r.epoch)).toEqual([0, 1]);
      expect(rows[1]?.reason).toMatch(/behind the log's head/);
    } finally {
      await store.close();
    }
    // Once raised, it stays: the next start-up finds nothing to do.
    const again = await PostgresEventStore.create({ connectionString: db.url });
    expect(again.positionEpoch).toEqual(expect.objectContaining({ epoch: 1, raised: false }));
    await again.close();
  });

  it('refuses to start, naming the fix, when its database role may not raise the epoch', async () => {
    const restored = await freshDatabase('epoch_role');
    const role = `ledger_ro_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    const superuser = new Client({ connectionString: restored.url });
    await superuser.connect();
    try {
      await restoredLog(restored.url, YEARS_OF_TRANSACTIONS);
      await superuser.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      await superuser.query(
        `GRANT SELECT ON events, streams, event_store_epochs, event_store_migrations TO ${role}`,
      );
      const url = new URL(restored.url);
      url.username = role;
      url.password = password;
      const error = await PostgresEventStore.create({
        connectionString: url.toString(),
        migrate: false,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PositionEpochError);
      expect((error as Error).message).toMatch(
        /behind the log's head .* start a ledger process once as the database owner .* GRANT INSERT ON event_store_epochs/,
      );
    } finally {
      await superuser.end();
      await restored.drop();
      const admin = new Client({ connectionString: db.url });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
    }
  });

  it('refuses to start when the restored positions leave no room for this cluster', async () => {
    const restored = await freshDatabase('epoch_full');
    try {
      await restoredLog(restored.url, (1n << 43n) - (1n << 31n));
      const error = await PostgresEventStore.create({ connectionString: restored.url }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PositionEpochError);
      expect((error as Error).message).toMatch(
        /too close to the 43 bits .* restore this ledger physically/,
      );
    } finally {
      await restored.drop();
    }
  });
});

/**
 * The whole contract again, on a log restored into a cluster that is behind it: the epoch
 * raised at start-up, every position and the readers' horizon offset by it.
 */
async function restoredHarness(): Promise<ContractHarness> {
  const db = await freshDatabase('contract_restored');
  await restoredLog(db.url, YEARS_OF_TRANSACTIONS);
  const store = await PostgresEventStore.create({ connectionString: db.url, pollIntervalMs: 20 });
  if (!store.positionEpoch?.raised) throw new Error('the restored log did not raise the epoch');
  return postgresContractHarness(store, {
    ownEvent: (e) => !e.streamName.startsWith('restored-'),
    dispose: db.drop,
  });
}

describe('after a logical restore into a cluster behind the log (position epoch raised)', () => {
  eventStoreContract('postgres', restoredHarness);
});

/**
 * `readAll` until `done` holds of what it answers (at most 5 s): on a shared server a transaction
 * of another database holds a new reader back for a moment, so a read right after an append or a
 * start may not show the latest events yet.
 */
async function readAllShowing(
  store: PostgresEventStore,
  options: Parameters<PostgresEventStore['readAll']>[0],
  done: (page: RecordedEvent[]) => boolean,
): Promise<RecordedEvent[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const page = await store.readAll(options);
    if (done(page) || Date.now() > deadline) return page;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

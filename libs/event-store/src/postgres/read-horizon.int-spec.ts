import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Client, type ClientBase } from 'pg';
import { eventually } from '../../../../test/support/eventually';
import { freshDatabase } from '../../../../test/support/test-database';
import type { AppendResult, RecordedEvent } from '../event-store.port';
import { newEvent } from '../testing/event-store.contract';
import { beginHeldTransaction } from './postgres-contract-harness';
import { PostgresEventStore } from './postgres-event-store';

type Database = Awaited<ReturnType<typeof freshDatabase>>;

/** A transaction with an id, open on its own connection until end() (another application's). */
interface OpenTransaction {
  xid: bigint;
  client: Client;
  /** Still the same transaction, still open. */
  stillOpen(): Promise<boolean>;
  end(): Promise<void>;
}

async function openTransaction(url: string, write?: string): Promise<OpenTransaction> {
  const client = new Client({ connectionString: url, application_name: 'another-application' });
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN');
  if (write) await client.query(write);
  const { rows } = await client.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
  const xid = BigInt(rows[0]!.xid);
  return {
    xid,
    client,
    async stillOpen() {
      const { rows: now } = await client.query<{ xid: string | null }>(
        'SELECT pg_current_xact_id_if_assigned()::text AS xid',
      );
      return now[0]?.xid === xid.toString();
    },
    async end() {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

async function backendPid(client: ClientBase): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0]!.pid;
}

/** Every event after `after`, in pages, as a reader would walk the log. */
async function readFrom(
  store: PostgresEventStore,
  after: bigint,
  pageSize = 100,
): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    const last = page[page.length - 1];
    if (!last) return all;
    all.push(...page);
    after = last.position;
  }
}

const ids = (events: readonly { id: string }[]): string[] => events.map((e) => e.id);
const stream = (label: string): string => `${label}-${randomUUID()}`;

describe('the readable horizon: only the log writers hold readers back', () => {
  let db: Database;
  let other: Database;
  let store: PostgresEventStore;
  let superuser: Client;
  beforeAll(async () => {
    db = await freshDatabase('horizon');
    other = await freshDatabase('horizon_other_app');
    store = await PostgresEventStore.create({ connectionString: db.url, pollIntervalMs: 20 });
    superuser = new Client({ connectionString: db.url });
    await superuser.connect();
  });
  afterAll(async () => {
    await superuser.end();
    await store.close();
    await other.drop();
    await db.drop();
  });

  /** The oldest transaction open anywhere on the server: where readers used to stop. */
  async function serverXmin(): Promise<bigint> {
    const { rows } = await superuser.query<{ xmin: string }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
    );
    return BigInt(rows[0]!.xmin);
  }

  it('passes over a transaction left open in another database of the server', async () => {
    const before = await store.append(stream('before'), [newEvent()]);
    const foreign = await openTransaction(other.url);
    try {
      const events = [newEvent(), newEvent(), newEvent()];
      for (const e of events) await store.append(stream('while-open'), [e]);
      // Readers used to stop below the oldest transaction of the server: this one.
      expect(await serverXmin()).toBeLessThanOrEqual(foreign.xid);
      await eventually(
        async () => expect(ids(await readFrom(store, before.position))).toEqual(ids(events)),
        { timeoutMs: 3000 },
      );
      // And from then on it never holds them again: what readers pass over is remembered. (Not
      // "at once" for the next read: on a server shared with other test workers, a transaction
      // of theirs can hold the horizon for a moment, as this one did.)
      const more = newEvent();
      await store.append(stream('still-open'), [more]);
      expect((await store.horizon()).position > BigInt(foreign.xid) << 20n).toBe(true);
      await eventually(
        async () =>
          expect(ids(await readFrom(store, before.position))).toEqual([...ids(events), more.id]),
        { timeoutMs: 3000 },
      );
      expect(await foreign.stillOpen()).toBe(true);
      expect((await store.horizon()).passedOver).toBeGreaterThanOrEqual(1);
    } finally {
      await foreign.end();
    }
  });

  it('passes over a transaction of this database that never appended, and refuses its append', async () => {
    await superuser.query('CREATE TABLE IF NOT EXISTS side_notes (note text)');
    const before = await store.append(stream('before'), [newEvent()]);
    const local = await openTransaction(db.url, `INSERT INTO side_notes VALUES ('not an event')`);
    try {
      const events = [newEvent(), newEvent()];
      for (const e of events) await store.append(stream('local-open'), [e]);
      expect(await serverXmin()).toBeLessThanOrEqual(local.xid);
      await eventually(
        async () => expect(ids(await readFrom(store, before.position))).toEqual(ids(events)),
        { timeoutMs: 3000 },
      );
      // Readers may have passed over it: it can never append now.
      const late = newEvent();
      const refused = await store
        .appendWith(local.client, stream('late'), [late])
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({
        code: '55000',
        message: expect.stringMatching(/took its transaction id before its first append/),
      });
    } finally {
      await local.end();
    }
  });

  it('holds readers back behind an append held open, names it, and shows both once it commits', async () => {
    const before = await store.append(stream('before'), [newEvent()]);
    const client = await store.pool.connect();
    try {
      const pid = await backendPid(client);
      await beginHeldTransaction(client);
      const held = newEvent();
      const heldResult = await store.appendWith(client, stream('held'), [held]);
      const later = newEvent();
      const laterResult = await store.append(stream('later'), [later]);
      expect(laterResult.position > heldResult.position).toBe(true);
      const writer = await eventually(async () => {
        const horizon = await store.horizon();
        const w = horizon.writers.find((x) => x.pid === pid);
        expect(w).toEqual(
          expect.objectContaining({
            pid,
            database: db.name,
            applicationName: 'cme-ledger-event-store',
            holdsHorizon: true,
          }),
        );
        expect(horizon.position <= heldResult.position).toBe(true);
        // Long enough for a reader to have asked pg_locks about it.
        expect(w!.ageMs).toBeGreaterThan(100);
        return w!;
      });
      expect(writer.xid).toBe((heldResult.position >> 20n).toString());
      // A first read sees it hold the horizon; one a while later has asked pg_locks about it.
      expect(ids(await readFrom(store, before.position))).toEqual([]);
      await eventually(async () => {
        const again = (await store.horizon()).writers.find((x) => x.pid === pid);
        expect(again!.ageMs).toBeGreaterThan(writer.ageMs + 100);
      });
      expect(ids(await readFrom(store, before.position))).toEqual([]);
      await client.query('COMMIT');
      await eventually(
        async () =>
          expect(ids(await readFrom(store, before.position))).toEqual([held.id, later.id]),
        { timeoutMs: 3000 },
      );
      expect((await store.horizon()).writers.find((x) => x.pid === pid)).toBeUndefined();
    } finally {
      client.release();
    }
  });

  it('passes over a transaction whose append was rolled back to a savepoint, and refuses its next append', async () => {
    const before = await store.append(stream('before'), [newEvent()]);
    const client = await store.pool.connect();
    try {
      await beginHeldTransaction(client);
      await client.query('SAVEPOINT a');
      const undone = newEvent();
      await store.appendWith(client, stream('undone'), [undone]);
      await client.query('ROLLBACK TO SAVEPOINT a');
      const events = [newEvent(), newEvent()];
      for (const e of events) await store.append(stream('after-undo'), [e]);
      await eventually(
        async () => expect(ids(await readFrom(store, before.position))).toEqual(ids(events)),
        { timeoutMs: 3000 },
      );
      await expect(store.appendWith(client, stream('again'), [newEvent()])).rejects.toMatchObject({
        code: '55000',
      });
      await client.query('ROLLBACK');
      expect(ids(await readFrom(store, before.position))).not.toContain(undone.id);
    } finally {
      client.release();
    }
  });

  it('refuses events written other than by the append function', async () => {
    const s = stream('direct');
    await store.append(s, [newEvent()]);
    await expect(
      superuser.query(
        `INSERT INTO events (position, stream_name, stream_revision, event_id, event_type,
                             schema_version, data, metadata, recorded_at, hash)
         SELECT position + 1, stream_name, 1, gen_random_uuid(), event_type, 1, data, metadata,
                recorded_at, hash FROM events WHERE stream_name = $1`,
        [s],
      ),
    ).rejects.toMatchObject({
      code: '40001',
      message: expect.stringMatching(/ledger_append_group only/),
    });
    expect((await store.readStream(s)).length).toBe(1);
  });

  describe("bounds: the store's session timeouts", () => {
    let bounded: PostgresEventStore;
    beforeAll(async () => {
      bounded = await PostgresEventStore.create({
        connectionString: db.url,
        statementTimeoutMs: 400,
        idleInTransactionTimeoutMs: 400,
      });
    });
    afterAll(async () => {
      await bounded.close();
    });

    it('ends an append left idle in its transaction, and readers go on without it', async () => {
      const before = await store.append(stream('before'), [newEvent()]);
      const client = await bounded.pool.connect();
      client.on('error', () => undefined);
      const heldStream = stream('abandoned');
      try {
        await client.query('BEGIN');
        await bounded.appendWith(client, heldStream, [newEvent()]);
        const later = newEvent();
        await store.append(stream('later'), [later]);
        // The server ends the idle session; the later event becomes readable, the held never.
        await eventually(
          async () => expect(ids(await readFrom(store, before.position))).toEqual([later.id]),
          { timeoutMs: 5000 },
        );
        await expect(client.query('COMMIT')).rejects.toThrow();
        expect(await store.readStream(heldStream)).toEqual([]);
      } finally {
        client.release(true);
      }
    });

    it("cancels an append that waits longer than the statement timeout for a stream's lock", async () => {
      const s = stream('locked');
      await store.append(s, [newEvent()]);
      const locker = await openTransaction(db.url, `SELECT 1`);
      try {
        await locker.client.query('SELECT * FROM streams WHERE stream_name = $1 FOR UPDATE', [s]);
        const before = await store.append(stream('before'), [newEvent()]);
        await expect(bounded.append(s, [newEvent()])).rejects.toMatchObject({ code: '57014' });
        const after = newEvent();
        await store.append(stream('after'), [after]);
        await eventually(
          async () => expect(ids(await readFrom(store, before.position))).toEqual([after.id]),
          { timeoutMs: 3000 },
        );
      } finally {
        await locker.end();
      }
      expect((await store.readStream(s)).length).toBe(1);
    });
  });

  describe('property: random interleavings of appends, rollbacks, held appends and other transactions', () => {
    type Step =
      | { kind: 'append'; stream: number; events: number }
      | { kind: 'rollback'; stream: number; events: number }
      | { kind: 'held'; stream: number; events: number; holdMs: number }
      | { kind: 'foreign'; holdMs: number }
      | { kind: 'local'; holdMs: number };

    const step: fc.Arbitrary<Step> = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          kind: fc.constant('append' as const),
          stream: fc.nat(5),
          events: fc.integer({ min: 1, max: 3 }),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('rollback' as const),
          stream: fc.nat(5),
          events: fc.integer({ min: 1, max: 3 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('held' as const),
          stream: fc.nat(5),
          events: fc.integer({ min: 1, max: 2 }),
          holdMs: fc.integer({ min: 5, max: 60 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('foreign' as const),
          holdMs: fc.integer({ min: 5, max: 80 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('local' as const),
          holdMs: fc.integer({ min: 5, max: 80 }),
        }),
      },
    );

    it('shows every acknowledged event exactly once, in order, never a rolled-back one, and is not held back by transactions that cannot append', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(step, { minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 4 }),
          fc.integer({ min: 1, max: 7 }),
          fc.constantFrom<('foreign' | 'local')[]>(
            [],
            ['foreign'],
            ['local'],
            ['foreign', 'local'],
          ),
          async (workers, pageSize, lingering) => {
            const run = randomUUID().slice(0, 8);
            const name = (k: number): string => `prop-${run}-${k}`;
            const start = await store.append(`prop-${run}-start`, [newEvent()]);
            // Transactions that stay open through the whole run and the check after it.
            const open = await Promise.all(
              lingering.map((kind) =>
                kind === 'foreign'
                  ? openTransaction(other.url)
                  : openTransaction(db.url, 'SELECT pg_current_xact_id()'),
              ),
            );
            const acknowledged = new Set<string>();
            const rolledBack = new Set<string>();
            const pagerSaw: RecordedEvent[] = [];
            let writing = true;
            const pager = (async () => {
              let after = start.position;
              for (;;) {
                const finished = !writing;
                const page = await store.readAll({ after, maxCount: pageSize });
                pagerSaw.push(...page.filter((e) => e.streamName.startsWith(`prop-${run}-`)));
                const last = page[page.length - 1];
                if (last) after = last.position;
                else if (finished) return;
                else await new Promise((r) => setTimeout(r, 2));
              }
            })();
            const hold = (ms: number) => new Promise((r) => setTimeout(r, ms));
            const runStep = async (s: Step): Promise<void> => {
              switch (s.kind) {
                case 'append': {
                  const events = Array.from({ length: s.events }, () => newEvent());
                  await store.append(name(s.stream), events);
                  for (const e of events) acknowledged.add(e.id);
                  return;
                }
                case 'rollback':
                case 'held': {
                  const events = Array.from({ length: s.events }, () => newEvent());
                  const client = await store.pool.connect();
                  try {
                    await beginHeldTransaction(client);
                    let appended: AppendResult | undefined;
                    try {
                      appended = await store.appendWith(client, name(s.stream), events);
                    } catch {
                      // Raced with another writer of the stream: nothing of it is written.
                    }
                    if (s.kind === 'held' && appended) {
                      await hold(s.holdMs);
                      await client.query('COMMIT');
                      for (const e of events) acknowledged.add(e.id);
                    } else {
                      await client.query('ROLLBACK');
                      for (const e of events) rolledBack.add(e.id);
                    }
                  } finally {
                    client.release();
                  }
                  return;
                }
                case 'foreign':
                case 'local': {
                  const t =
                    s.kind === 'foreign'
                      ? await openTransaction(other.url)
                      : await openTransaction(db.url, 'SELECT pg_current_xact_id()');
                  await hold(s.holdMs);
                  await t.end();
                  return;
                }
              }
            };
            try {
              await Promise.all(
                workers.map(async (steps) => {
                  for (const s of steps) await runStep(s);
                }),
              );
              // Every acknowledged event is readable while the lingering transactions stay open.
              const wanted = [...acknowledged].sort();
              await eventually(
                async () =>
                  expect(
                    ids(await readFrom(store, start.position))
                      .filter((id) => acknowledged.has(id))
                      .sort(),
                  ).toEqual(wanted),
                { timeoutMs: 3000 },
              );
              for (const t of open) expect(await t.stillOpen()).toBe(true);
              writing = false;
              await pager;
            } finally {
              writing = false;
              await pager.catch(() => undefined);
              await Promise.all(open.map((t) => t.end()));
            }
            const sawIds = ids(pagerSaw);
            expect(new Set(sawIds).size).toBe(sawIds.length);
            expect(sawIds.filter((id) => rolledBack.has(id))).toEqual([]);
            expect([...sawIds].sort()).toEqual([...acknowledged].sort());
            const revisions = new Map<string, bigint>();
            let last = start.position;
            for (const e of pagerSaw) {
              expect(e.position > last).toBe(true);
              last = e.position;
              expect(e.revision).toBe((revisions.get(e.streamName) ?? -1n) + 1n);
              revisions.set(e.streamName, e.revision);
            }
          },
        ),
        { numRuns: 12 },
      );
    }, 180_000);
  });
});

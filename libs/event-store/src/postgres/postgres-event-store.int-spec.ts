import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { freshDatabase } from '../../../../test/support/test-database';
import {
  eventStoreContract,
  newEvent,
  type ContractHarness,
} from '../testing/event-store.contract';
import { EVENT_STORE_MIGRATIONS, runMigrations } from './migrations';
import { PostgresEventStore } from './postgres-event-store';

async function postgresHarness(): Promise<ContractHarness> {
  const db = await freshDatabase('contract');
  const store = await PostgresEventStore.create({ connectionString: db.url, pollIntervalMs: 20 });
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
    ownEvent: () => true,
    streamName: (label) => `${label}-${run}-${randomUUID().slice(0, 8)}`,
    async dispose() {
      await store.close();
      await db.drop();
    },
  };
}

eventStoreContract('postgres', postgresHarness);

describe('PostgreSQL event store specifics', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let store: PostgresEventStore;
  let superuser: Client;
  beforeAll(async () => {
    db = await freshDatabase('pg_specifics');
    store = await PostgresEventStore.create({ connectionString: db.url });
    superuser = new Client({ connectionString: db.url });
    await superuser.connect();
  });
  afterAll(async () => {
    await superuser.end();
    await store.close();
    await db.drop();
  });

  /** As a superuser who disables the immutability triggers, runs `sql`, and enables them again. */
  async function tamper(sql: string, params: unknown[] = []): Promise<void> {
    await superuser.query('BEGIN');
    try {
      await superuser.query('ALTER TABLE events DISABLE TRIGGER USER');
      await superuser.query(sql, params);
      await superuser.query('ALTER TABLE events ENABLE TRIGGER USER');
      await superuser.query('COMMIT');
    } catch (error) {
      await superuser.query('ROLLBACK');
      throw error;
    }
  }

  it('refuses UPDATE, DELETE and TRUNCATE on the events table', async () => {
    await store.append('immutable-1', [newEvent()]);
    await expect(superuser.query(`UPDATE events SET data = '{}'`)).rejects.toThrow(/immutable/);
    await expect(superuser.query('DELETE FROM events')).rejects.toThrow(/immutable/);
    await expect(superuser.query('TRUNCATE events')).rejects.toThrow(/immutable/);
    expect((await store.readStream('immutable-1')).length).toBe(1);
  });

  it('runs its migrations once when two processes start at the same time, and again as a no-op', async () => {
    const other = await freshDatabase('migrate_twice');
    const pools = [
      new Pool({ connectionString: other.url }),
      new Pool({ connectionString: other.url }),
    ];
    try {
      const ran = await Promise.all(pools.map((p) => runMigrations(p, EVENT_STORE_MIGRATIONS)));
      expect(ran.flat().sort()).toEqual(EVENT_STORE_MIGRATIONS.map((m) => m.version));
      expect(await runMigrations(pools[0]!, EVENT_STORE_MIGRATIONS)).toEqual([]);
      const again = await PostgresEventStore.create({ connectionString: other.url });
      await again.append('after-migrations', [newEvent()]);
      await again.close();
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await other.drop();
    }
  });

  describe('tampering by a superuser is named by verification', () => {
    async function streamOf(n: number): Promise<{ name: string; ids: string[] }> {
      const name = `tamper-${randomUUID()}`;
      const events = Array.from({ length: n }, (_, i) => newEvent({ data: { i, credits: '6' } }));
      await store.append(name, events.slice(0, 2));
      if (n > 2) await store.append(name, events.slice(2));
      return { name, ids: events.map((e) => e.id) };
    }

    it('an altered event', async () => {
      const { name, ids } = await streamOf(5);
      await tamper(
        `UPDATE events SET data = jsonb_set(data, '{credits}', '"60"') WHERE event_id = $1`,
        [ids[2]],
      );
      const report = await store.verifyStream(name);
      expect(report.ok).toBe(false);
      expect(report.breaks).toEqual([
        expect.objectContaining({
          streamName: name,
          kind: 'altered',
          revision: 2n,
          eventId: ids[2],
        }),
      ]);
      const all = await store.verifyAll();
      expect(all.breaks).toContainEqual(
        expect.objectContaining({ streamName: name, eventId: ids[2], kind: 'altered' }),
      );
    });

    it('altered metadata (who issued the command)', async () => {
      const { name, ids } = await streamOf(3);
      await tamper(
        `UPDATE events SET metadata = jsonb_set(metadata, '{actor}', '"someone-else"') WHERE event_id = $1`,
        [ids[0]],
      );
      const report = await store.verifyStream(name);
      expect(report.breaks[0]).toEqual(
        expect.objectContaining({ kind: 'altered', revision: 0n, eventId: ids[0] }),
      );
    });

    it('a removed event in the middle and a removed last event', async () => {
      const middle = await streamOf(5);
      await tamper('DELETE FROM events WHERE event_id = $1', [middle.ids[1]]);
      expect((await store.verifyStream(middle.name)).breaks[0]).toEqual(
        expect.objectContaining({ kind: 'removed', revision: 1n, eventId: middle.ids[2] }),
      );
      const last = await streamOf(4);
      await tamper('DELETE FROM events WHERE event_id = $1', [last.ids[3]]);
      expect((await store.verifyStream(last.name)).breaks[0]).toEqual(
        expect.objectContaining({ kind: 'removed', revision: 3n }),
      );
    });

    it('two events swapped in their stream', async () => {
      const { name, ids } = await streamOf(5);
      // Swap revisions 1 and 3 through a revision far away (the unique key forbids a direct swap).
      await tamper(`UPDATE events SET stream_revision = 1000 WHERE event_id = $1`, [ids[1]]);
      await tamper(`UPDATE events SET stream_revision = 1 WHERE event_id = $1`, [ids[3]]);
      await tamper(`UPDATE events SET stream_revision = 3 WHERE event_id = $1`, [ids[1]]);
      const report = await store.verifyStream(name);
      expect(report.breaks[0]).toEqual(
        expect.objectContaining({ kind: 'reordered', revision: 1n, eventId: ids[3] }),
      );
      expect(report.breaks[0]?.detail).toMatch(/written at revision 3/);
    });

    it('a whole stream removed while its head remains', async () => {
      const { name } = await streamOf(2);
      await tamper('DELETE FROM events WHERE stream_name = $1', [name]);
      const all = await store.verifyAll();
      expect(all.breaks).toContainEqual(
        expect.objectContaining({ streamName: name, kind: 'removed', revision: 0n }),
      );
    });
  });

  it('never shows a reader an event above the oldest open transaction, then shows it once', async () => {
    const before = await store.append(`gap-${randomUUID()}`, [newEvent()]);
    const client = await store.pool.connect();
    const held = newEvent();
    await client.query('BEGIN');
    const heldResult = await store.appendWith(client, `gap-held-${randomUUID()}`, [held]);
    const later = await store.append(`gap-later-${randomUUID()}`, [newEvent()]);
    expect(later.position > heldResult.position).toBe(true);
    // The later event is committed but sits above the open transaction: not readable yet.
    const whileOpen = await store.readAll({ after: before.position });
    expect(whileOpen.map((e) => e.position)).not.toContain(later.position);
    await client.query('COMMIT');
    client.release();
    const afterCommit = await store.readAll({ after: before.position });
    expect(afterCommit.map((e) => e.id).slice(0, 2)).toEqual([held.id, afterCommit[1]?.id]);
    expect(afterCommit.map((e) => e.position)).toEqual(
      expect.arrayContaining([heldResult.position, later.position]),
    );
  });
});

import { randomUUID } from 'node:crypto';
import { Client, Pool, type ClientBase } from 'pg';
import { eventually } from '../../../../test/support/eventually';
import { freshDatabase } from '../../../../test/support/test-database';
import {
  IdempotencyConflictError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../errors';
import type { AppendResult } from '../event-store.port';
import {
  eventStoreContract,
  newEvent,
  type ContractHarness,
} from '../testing/event-store.contract';
import { EVENT_STORE_MIGRATIONS, runMigrations } from './migrations';
import { beginHeldTransaction, postgresContractHarness } from './postgres-contract-harness';
import { PostgresEventStore } from './postgres-event-store';

async function postgresHarness(): Promise<ContractHarness> {
  const db = await freshDatabase('contract');
  const store = await PostgresEventStore.create({ connectionString: db.url, pollIntervalMs: 20 });
  return postgresContractHarness(store, { dispose: db.drop });
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

  async function backendPid(client: ClientBase): Promise<number> {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return rows[0]!.pid;
  }

  /** How many sessions wait for a lock that the session `pid` holds. */
  async function waitingFor(pid: number): Promise<number> {
    const { rows } = await superuser.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
      [pid],
    );
    return rows[0]!.n;
  }

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

  describe('group commit', () => {
    // One append in flight at a time: appends made while it runs wait and go together.
    let grouped: PostgresEventStore;
    beforeAll(async () => {
      grouped = await PostgresEventStore.create({ connectionString: db.url, appendConcurrency: 1 });
    });
    afterAll(async () => {
      await grouped.close();
    });

    const xidOf = (r: AppendResult): bigint => r.position >> 20n;
    const name = (label: string): string => `${label}-${randomUUID()}`;
    /** Starts an append that runs alone, so that the appends started after it form one group. */
    const occupy = (): Promise<AppendResult> => grouped.append(name('filler'), [newEvent()]);

    it('appends to different streams in one transaction, each with its own result', async () => {
      const streams = Array.from({ length: 6 }, (_, i) => name(i % 2 ? 'grüppe ✓ 😀' : 'group'));
      const first = occupy();
      const results = await Promise.all(streams.map((s) => grouped.append(s, [newEvent()])));
      await first;
      expect(new Set(results.map(xidOf)).size).toBe(1);
      expect(new Set(results.map((r) => r.position)).size).toBe(streams.length);
      for (const [i, s] of streams.entries()) {
        expect(results[i]?.nextRevision).toBe(0n);
        const [e] = await store.readStream(s);
        expect(e?.position).toBe(results[i]?.position);
        expect((await store.verifyStream(s)).ok).toBe(true);
      }
    });

    it('fails only the append whose expected revision is wrong, or whose ids conflict', async () => {
      const [wrong, conflicting, fine, fresh] = [
        name('wrong'),
        name('conf'),
        name('fine'),
        name('fresh'),
      ];
      const stored = newEvent();
      await grouped.append(wrong, [newEvent()]);
      await grouped.append(fine, [newEvent()]);
      await grouped.append(name('elsewhere'), [stored]);
      const first = occupy();
      const outcomes = await Promise.allSettled([
        grouped.append(wrong, [newEvent()], { expectedRevision: 5n }),
        grouped.append(conflicting, [stored]),
        grouped.append(fine, [newEvent()], { expectedRevision: 0n }),
        grouped.append(fresh, [newEvent(), newEvent()], { expectedRevision: 'no_stream' }),
      ]);
      await first;
      expect(outcomes[0]).toEqual({
        status: 'rejected',
        reason: expect.any(WrongExpectedRevisionError),
      });
      expect(
        ((outcomes[0] as PromiseRejectedResult).reason as WrongExpectedRevisionError).actual,
      ).toBe(0n);
      expect(outcomes[1]).toEqual({
        status: 'rejected',
        reason: expect.any(IdempotencyConflictError),
      });
      const ok = outcomes.slice(2).map((o) => (o as PromiseFulfilledResult<AppendResult>).value);
      expect(ok.map((r) => r.nextRevision)).toEqual([1n, 1n]);
      expect(xidOf(ok[0]!)).toBe(xidOf(ok[1]!));
      expect(await store.streamRevision(wrong)).toBe(0n);
      expect(await store.streamRevision(conflicting)).toBeUndefined();
      for (const s of [wrong, fine, fresh]) expect((await store.verifyStream(s)).ok).toBe(true);
    });

    it('returns the first result to a retry that arrives in a group, whatever revision it expects', async () => {
      const s = name('idem');
      const events = [newEvent(), newEvent()];
      const original = await grouped.append(s, events, { expectedRevision: 'no_stream' });
      await grouped.append(s, [newEvent()]);
      const first = occupy();
      const [again, other] = await Promise.all([
        grouped.append(s, events, { expectedRevision: 'no_stream' }),
        grouped.append(name('other'), [newEvent()]),
      ]);
      await first;
      expect(again).toEqual(original);
      expect(other.nextRevision).toBe(0n);
      expect((await store.readStream(s)).length).toBe(3);
    });

    it('never puts two appends to one stream in one group, and keeps their order', async () => {
      const [x, y] = [name('twice'), name('beside')];
      const first = occupy();
      const [x1, y1, x2] = await Promise.all([
        grouped.append(x, [newEvent({ data: { n: 1 } })]),
        grouped.append(y, [newEvent()]),
        grouped.append(x, [newEvent({ data: { n: 2 } })]),
      ]);
      await first;
      expect(xidOf(x1)).toBe(xidOf(y1));
      expect(xidOf(x2)).not.toBe(xidOf(x1));
      expect([x1.nextRevision, x2.nextRevision]).toEqual([0n, 1n]);
      expect((await store.readStream(x)).map((e) => e.data.n)).toEqual([1, 2]);
    });

    it('never lets an append overtake an earlier one to its stream, even past a group held up by a lock', async () => {
      // y sorts first, so the group of x1 and y1 waits on y's head (held by another transaction)
      // before it locks x's, far longer than a group counts against the appends in flight.
      const [x, y] = [name('twice'), name('beside')];
      const holder = await store.pool.connect();
      try {
        await beginHeldTransaction(holder);
        await store.appendWith(holder, y, [newEvent()]);
        const first = occupy();
        const x1 = grouped.append(x, [newEvent({ data: { n: 1 } })]);
        const y1 = grouped.append(y, [newEvent()]);
        const x2 = grouped.append(x, [newEvent({ data: { n: 2 } })]);
        await first;
        await new Promise((resolve) => setTimeout(resolve, 300));
        await holder.query('COMMIT');
        const [r1, , r2] = await Promise.all([x1, y1, x2]);
        expect([r1.nextRevision, r2.nextRevision]).toEqual([0n, 1n]);
        expect((await store.readStream(x)).map((e) => e.data.n)).toEqual([1, 2]);
      } finally {
        holder.release();
      }
    });

    it('fails only the append the server refuses; the rest of its group goes ahead', async () => {
      const [bad, good] = [name('bad'), name('good')];
      const first = occupy();
      const outcomes = await Promise.allSettled([
        grouped.append(bad, [newEvent({ data: { text: 'lone \ud800 surrogate' } })]),
        grouped.append(good, [newEvent()]),
      ]);
      await first;
      expect(outcomes[0]).toEqual({ status: 'rejected', reason: expect.any(InvalidAppendError) });
      expect(outcomes[1]?.status).toBe('fulfilled');
      expect(await store.streamRevision(bad)).toBeUndefined();
      expect(await store.streamRevision(good)).toBe(0n);
    });

    it('does not let a stream whose lock is held hold up the other streams', async () => {
      const [held, free] = [name('held'), name('free')];
      await grouped.append(held, [newEvent()]);
      const client = await store.pool.connect();
      try {
        await beginHeldTransaction(client);
        await store.appendWith(client, held, [newEvent()]);
        const blocked = grouped.append(held, [newEvent()]);
        const other = await grouped.append(free, [newEvent()]);
        expect(other.nextRevision).toBe(0n);
        await client.query('COMMIT');
        expect((await blocked).nextRevision).toBe(2n);
      } finally {
        client.release();
      }
    });

    it('refuses one stream twice in one call of the function', async () => {
      await expect(
        superuser.query(
          `SELECT * FROM ledger_append_group(ARRAY['a', 'a'], ARRAY['any', 'any'], ARRAY[1, 1],
             ARRAY[now(), now()], ARRAY[gen_random_uuid(), gen_random_uuid()], '[]'::jsonb,
             '\\x'::bytea)`,
        ),
      ).rejects.toMatchObject({ code: '22023' });
    });
  });

  describe('retries that keep positions in revision order', () => {
    it('retries an append whose new stream another transaction created first', async () => {
      const s = `race-${randomUUID()}`;
      const a = await store.pool.connect();
      const b = await store.pool.connect();
      try {
        const aPid = await backendPid(a);
        await beginHeldTransaction(a);
        await store.appendWith(a, s, [newEvent()]);
        await beginHeldTransaction(b);
        const racing = store.appendWith(b, s, [newEvent()]).catch((e: unknown) => e);
        const auto = store.append(s, [newEvent()]);
        // Both wait for the first transaction (on the stream it created) before it commits:
        // what the test is about, whatever the time they take to get there.
        await eventually(async () => expect(await waitingFor(aPid)).toBe(2));
        await a.query('COMMIT');
        // Inside a caller's transaction: no retry, the caller is told to retry.
        expect(await racing).toMatchObject({ code: '40001' });
        await b.query('ROLLBACK');
        // Through append: retried against the head the other transaction wrote.
        expect((await auto).nextRevision).toBe(1n);
        expect((await store.verifyStream(s)).ok).toBe(true);
      } finally {
        a.release();
        b.release();
      }
    });

    it('retries an append whose transaction id is older than the stream head', async () => {
      const s = `older-${randomUUID()}`;
      const client = await store.pool.connect();
      try {
        await beginHeldTransaction(client);
        // This transaction takes its id (joining the writers) before the other append does.
        await store.appendWith(client, `first-${randomUUID()}`, [newEvent()]);
        await store.append(s, [newEvent()]);
        await expect(store.appendWith(client, s, [newEvent()])).rejects.toMatchObject({
          code: '40001',
        });
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
      expect((await store.readStream(s)).length).toBe(1);
    });
  });

  it('stores the links the first version of the store stored (pinned)', async () => {
    const pinned = await PostgresEventStore.create({
      connectionString: db.url,
      clock: () => new Date('2025-03-04T05:06:07.089Z'),
    });
    try {
      const stream = `pinned-stream`;
      await pinned.append(stream, [
        {
          id: '0f8fad5b-d9cb-469f-a165-70867728950e',
          type: 'CreditEarned',
          schemaVersion: 2,
          data: {
            twelfths: 18,
            learnerId: 'L-1',
            nested: { b: [1, 2.5, { c: null }], a: true, é: 'häppened ✓ \u2028 "q" \\ \n' },
            '10': 'x',
            '9': -0,
            big: 1e21,
            small: 5e-7,
          },
          metadata: {
            actor: 'api-key:registrar/lms-sync',
            correlationId: 'c-1',
            causationId: 'c-0',
            source: 'lms-sync',
          },
        },
      ]);
      const [e] = await pinned.readStream(stream);
      expect(e?.hash).toBe('bc5c21a8ae47877b9b044e19175c0f9aa16d15952d4478170beb62e25ee530c8');
    } finally {
      await pinned.close();
    }
  });

  it('never shows a reader an event above the oldest open transaction, then shows it once', async () => {
    const before = await store.append(`gap-${randomUUID()}`, [newEvent()]);
    const client = await store.pool.connect();
    const held = newEvent();
    let open = false;
    try {
      await beginHeldTransaction(client);
      open = true;
      const heldResult = await store.appendWith(client, `gap-held-${randomUUID()}`, [held]);
      const later = await store.append(`gap-later-${randomUUID()}`, [newEvent()]);
      expect(later.position > heldResult.position).toBe(true);
      // The later event is committed but sits above the open transaction: not readable yet.
      const whileOpen = await store.readAll({ after: before.position });
      expect(whileOpen.map((e) => e.position)).not.toContain(later.position);
      await client.query('COMMIT');
      open = false;
      // Once committed it is readable, first in the range. Not always at the very next read: on
      // a server shared with other databases (DATABASE_URL and two jest workers), a transaction
      // open there holds the horizon until the store has seen it for 20 ms and found that it
      // cannot append.
      let afterCommit = await store.readAll({ after: before.position });
      for (let waited = 0; afterCommit.length === 0 && waited < 2000; waited += 25) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        afterCommit = await store.readAll({ after: before.position });
      }
      expect(afterCommit.map((e) => e.id).slice(0, 2)).toEqual([held.id, afterCommit[1]?.id]);
      expect(afterCommit.filter((e) => e.id === held.id)).toHaveLength(1);
      expect(afterCommit.map((e) => e.position)).toEqual(
        expect.arrayContaining([heldResult.position, later.position]),
      );
    } finally {
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });
});

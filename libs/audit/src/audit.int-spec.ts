import { randomUUID } from 'node:crypto';
import {
  chainLink,
  contentDigest,
  genesisHash,
  PostgresEventStore,
  type EventToAppend,
} from '@ledger/event-store';
import { Client } from 'pg';
import { freshDatabase } from '../../../test/support/test-database';
import { exportLog } from './export/export-log';
import { checkExport } from './export/check-export';
import { importLog, postgresImportTarget } from './export/import-log';
import { checkIntegrity } from './integrity';
import { digestLog } from './log-reader';

const event = (data: Record<string, string | number>): EventToAppend => ({
  id: randomUUID(),
  type: 'QuestionResearched',
  schemaVersion: 1,
  data,
  metadata: { actor: 'service:test', correlationId: randomUUID(), causationId: randomUUID() },
});

async function* linesOf(text: string): AsyncGenerator<string> {
  for (const line of text.split('\n')) yield line;
}

async function exportText(
  store: PostgresEventStore,
  after?: bigint,
  upTo?: bigint,
): Promise<string> {
  const out = exportLog(store, { after, upTo, pageSize: 7 });
  let text = '';
  for await (const chunk of out.chunks) text += chunk;
  return text;
}

describe('audit over a PostgreSQL log', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let store: PostgresEventStore;
  let superuser: Client;
  const streams = ['learner-a', 'learner-b', 'learner-c'];

  beforeAll(async () => {
    db = await freshDatabase('audit_int');
    store = await PostgresEventStore.create({ connectionString: db.url });
    superuser = new Client({ connectionString: db.url });
    await superuser.connect();
    // 3 streams × 10 appends, interleaved, some appends of two events.
    let last = 0n;
    for (let round = 0; round < 10; round++) {
      for (const s of streams) {
        const events = [event({ researchId: `${s}-${round}`, twelfths: '6' })];
        if (round % 3 === 0) events.push(event({ researchId: `${s}-${round}b`, twelfths: '6' }));
        last = (await store.append(s, events)).position;
      }
    }
    // The tests read the whole log: on a shared server a reader may not see the last appends
    // for a moment (a transaction of another database holds the horizon); wait until it does.
    await digestLog(store, { upTo: last });
  });
  afterAll(async () => {
    await superuser.end();
    await store.close();
    await db.drop();
  });

  /** As a superuser with the immutability triggers disabled, inside one transaction. */
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

  it('digests the log in pages, the same however it is paged, and a range up to a position', async () => {
    const whole = await digestLog(store, { pageSize: 5000 });
    expect(whole.events).toBe(42);
    expect(await digestLog(store, { pageSize: 4 })).toEqual(whole);
    const all = await store.readAll({ maxCount: 100 });
    const tenth = all[9]!;
    const upTo = await digestLog(store, { upTo: tenth.position, pageSize: 4 });
    expect(upTo).toEqual(
      expect.objectContaining({
        events: 10,
        upToPosition: tenth.position.toString(),
        lastEventId: tenth.id,
      }),
    );
    const integrity = await checkIntegrity(store, { expectedDigest: whole.digest });
    expect(integrity).toEqual(
      expect.objectContaining({
        ok: true,
        log: whole,
        comparison: expect.objectContaining({ matches: true }),
      }),
    );
    expect(integrity.verification).toEqual({
      ok: true,
      streamsChecked: 3,
      eventsChecked: 42,
      breaks: [],
    });
  });

  it('an export checks against the digest, and replays into an empty ledger with the same digest and chains', async () => {
    const digest = await digestLog(store);
    const text = await exportText(store);
    expect(text.trim().split('\n')).toHaveLength(42);
    const check = await checkExport(linesOf(text), {
      expectedDigest: digest.digest,
      ledger: store,
    });
    expect(check).toEqual(
      expect.objectContaining({ ok: true, events: 42, streams: 3, problems: [] }),
    );
    expect(check.ledger).toEqual({ eventsCompared: 42, matches: true });

    const copy = await freshDatabase('audit_int_copy');
    const target = await postgresImportTarget(copy.url);
    try {
      const imported = await importLog(linesOf(text), target);
      expect(imported).toEqual(
        expect.objectContaining({
          events: 42,
          streams: 3,
          log: expect.objectContaining({ digest: digest.digest }),
        }),
      );
      expect(imported.appends).toBeLessThanOrEqual(30);
      // Up to the import's last event, which a reader on a shared server may see a moment later.
      const again = await checkIntegrity(target.store, {
        expectedDigest: digest.digest,
        upTo: BigInt(imported.upToPosition),
      });
      expect(again.ok).toBe(true);
      expect(again.log.events).toBe(42);
      // Same events, links and recorded-at, in the same order; the positions are the copy's own.
      const [a, b] = [
        await store.readAll({ maxCount: 100 }),
        await target.store.readAll({ maxCount: 100 }),
      ];
      expect(b.map((e) => [e.id, e.hash, e.recordedAt.getTime()])).toEqual(
        a.map((e) => [e.id, e.hash, e.recordedAt.getTime()]),
      );
      // Importing again is refused: the ledger is no longer empty.
      await expect(importLog(linesOf(text), target)).rejects.toThrow(/not empty/);
    } finally {
      await target.close();
      await copy.drop();
    }
  });

  it('an import verifies the whole of itself, and checks against its ledger, while a transaction open in another database holds the readable horizon', async () => {
    const digest = await digestLog(store);
    const text = await exportText(store);
    // A transaction of another database on the same server, with an id older than every append
    // of the import: the copy's readers see only below it until the store finds it cannot append.
    const elsewhere = new Client({ connectionString: db.url });
    await elsewhere.connect();
    const copy = await freshDatabase('audit_int_held');
    const target = await postgresImportTarget(copy.url);
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      const imported = await importLog(linesOf(text), target);
      const verified = await checkIntegrity(target.store, {
        expectedDigest: digest.digest,
        upTo: BigInt(imported.upToPosition),
      });
      expect(verified).toEqual(
        expect.objectContaining({
          ok: true,
          log: expect.objectContaining({ events: 42, digest: digest.digest }),
        }),
      );
      const fresh = await PostgresEventStore.create({ connectionString: copy.url });
      try {
        const check = await checkExport(linesOf(await exportText(target.store)), {
          expectedDigest: digest.digest,
          ledger: fresh,
        });
        expect(check.ledger).toEqual({ eventsCompared: 42, matches: true });
      } finally {
        await fresh.close();
      }
    } finally {
      await elsewhere.query('ROLLBACK');
      await elsewhere.end();
      await target.close();
      await copy.drop();
    }
  });

  it('refuses to import a partial export', async () => {
    const all = await store.readAll({ maxCount: 100 });
    const text = await exportText(store, all[5]!.position);
    const copy = await freshDatabase('audit_int_partial');
    const target = await postgresImportTarget(copy.url);
    try {
      await expect(importLog(linesOf(text), target)).rejects.toThrow(/import a whole export/);
    } finally {
      await target.close();
      await copy.drop();
    }
  });

  describe('tampering by a superuser with the trigger disabled', () => {
    // Each case tampers with a fresh stream of its own at the end of the log, so cases do not
    // see each other's damage through the digest of the earlier events.
    async function freshStream(
      n = 4,
    ): Promise<{ name: string; ids: string[]; kept: string; text: string }> {
      const name = `learner-${randomUUID().slice(0, 8)}`;
      const events = Array.from({ length: n }, (_, i) =>
        event({ researchId: `r${i}`, twelfths: '6' }),
      );
      let last = 0n;
      for (const e of events) last = (await store.append(name, [e])).position;
      // Up to the last append: on a shared server a reader may not see it yet for a moment (a
      // transaction open in another database holds the horizon); upTo reads until it does.
      return {
        name,
        ids: events.map((e) => e.id),
        kept: (await digestLog(store, { upTo: last })).digest,
        text: await exportText(store, undefined, last),
      };
    }

    it('an altered event: verification names it, and the stored digest no longer matches', async () => {
      const { name, ids, kept, text } = await freshStream();
      await tamper(
        `UPDATE events SET data = jsonb_set(data, '{twelfths}', '"60"') WHERE event_id = $1`,
        [ids[1]],
      );
      const report = await checkIntegrity(store, { expectedDigest: kept });
      expect(report.ok).toBe(false);
      expect(report.comparison?.matches).toBe(false);
      expect(report.verification.breaks).toContainEqual(
        expect.objectContaining({
          streamName: name,
          kind: 'altered',
          eventId: ids[1],
          revision: '1',
        }),
      );
      const against = await checkExport(linesOf(text), { ledger: store });
      expect(against.problems.filter((p) => p.kind === 'differs-from-ledger')).toEqual([
        expect.objectContaining({ kind: 'differs-from-ledger', eventId: ids[1] }),
      ]);
    });

    it('a removed event: named, and the digest changes', async () => {
      const { name, ids, kept } = await freshStream();
      await tamper('DELETE FROM events WHERE event_id = $1', [ids[2]]);
      const report = await checkIntegrity(store, { expectedDigest: kept });
      expect(report.ok).toBe(false);
      expect(report.verification.breaks).toContainEqual(
        expect.objectContaining({ streamName: name, kind: 'removed', revision: '2' }),
      );
    });

    it('a chain rewritten consistently (links recomputed, head updated): the chains verify, the digest does not, and a kept export names the event', async () => {
      const { name, ids, kept, text } = await freshStream();
      // Rewrite revision 1 with other content, and recompute every later link and the head.
      const { rows } = await superuser.query<{
        event_id: string;
        stream_revision: string;
        event_type: string;
        schema_version: number;
        data: Record<string, string>;
        metadata: { actor: string; correlationId: string; causationId: string };
        recorded_at: Date;
      }>(
        `SELECT event_id, stream_revision, event_type, schema_version, data, metadata, recorded_at
           FROM events WHERE stream_name = $1 ORDER BY stream_revision`,
        [name],
      );
      let link = genesisHash(name);
      await superuser.query('BEGIN');
      await superuser.query('ALTER TABLE events DISABLE TRIGGER USER');
      for (const row of rows) {
        const data = row.event_id === ids[1] ? { ...row.data, twelfths: '600' } : row.data;
        link = chainLink(
          link,
          BigInt(row.stream_revision),
          contentDigest({
            id: row.event_id,
            type: row.event_type,
            schemaVersion: row.schema_version,
            data,
            metadata: row.metadata,
            recordedAt: row.recorded_at,
          }),
        );
        await superuser.query('UPDATE events SET data = $2, hash = $3 WHERE event_id = $1', [
          row.event_id,
          data,
          link,
        ]);
      }
      await superuser.query('UPDATE streams SET last_hash = $2 WHERE stream_name = $1', [
        name,
        link,
      ]);
      await superuser.query('ALTER TABLE events ENABLE TRIGGER USER');
      await superuser.query('COMMIT');

      expect((await store.verifyStream(name)).ok).toBe(true);
      const report = await checkIntegrity(store, { expectedDigest: kept });
      expect(report.comparison?.matches).toBe(false);
      expect(report.ok).toBe(false);
      const against = await checkExport(linesOf(text), { ledger: store });
      expect(against.ok).toBe(false);
      expect(against.problems.filter((p) => p.kind === 'differs-from-ledger')).toEqual([
        expect.objectContaining({ kind: 'differs-from-ledger', eventId: ids[1], streamName: name }),
      ]);
    });

    it('two events swapped in the log order (positions exchanged): the digest changes and a kept export names the place', async () => {
      const { name, ids, kept, text } = await freshStream(2);
      const other = `learner-${randomUUID().slice(0, 8)}`;
      const otherEvent = event({ researchId: 'x', twelfths: '6' });
      const appended = await store.append(other, [otherEvent]);
      const keptAfter = (await digestLog(store, { upTo: appended.position })).digest;
      expect(keptAfter).not.toBe(kept);
      const { rows } = await superuser.query<{ event_id: string; position: string }>(
        'SELECT event_id, position::text FROM events WHERE event_id = ANY($1)',
        [[ids[1], otherEvent.id]],
      );
      const p = rows.find((r) => r.event_id === ids[1])!.position;
      const q = rows.find((r) => r.event_id === otherEvent.id)!.position;
      // Swap the two positions through a free one.
      await tamper('UPDATE events SET position = -position WHERE event_id = $1', [ids[1]]);
      await tamper('UPDATE events SET position = $2 WHERE event_id = $1', [otherEvent.id, p]);
      await tamper('UPDATE events SET position = $2 WHERE event_id = $1', [ids[1], q]);
      const swappedStreams = [name, other];
      const { breaks } = (await checkIntegrity(store)).verification;
      expect(breaks.filter((b) => swappedStreams.includes(b.streamName))).toEqual([]);
      const report = await checkIntegrity(store, { expectedDigest: keptAfter });
      expect(report.ok).toBe(false);
      const against = await checkExport(linesOf(text), { ledger: store });
      expect(against.problems.filter((p) => p.kind === 'differs-from-ledger')).toEqual([
        expect.objectContaining({ kind: 'differs-from-ledger', eventId: ids[1] }),
      ]);
    });
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chainLink,
  contentDigest,
  genesisHash,
  PostgresEventStore,
  type EventToAppend,
} from '@ledger/event-store';
import { Client, Pool } from 'pg';
import { freshDatabase } from '../../../../test/support/test-database';
import { openReadModels } from '@ledger/read-models';
import { AUDIT_TABLES } from './tables/audit-tables';
import { CheckpointSigner } from './checkpoint';
import { Checkpointer } from './checkpointer';
import { LogTree } from './log-tree';
import { AuditProofs, checkConsistencyProof, checkInclusionProof } from './proofs';
import { StreamIntegrityError, StreamVerifier } from './stream-verifier';
import { verifyAgainstCheckpoint } from './verify-against-checkpoint';
import { FolderWitness } from './witness';

const event = (data: Record<string, string>): EventToAppend => ({
  id: randomUUID(),
  type: 'QuestionResearched',
  schemaVersion: 1,
  data,
  metadata: { actor: 'service:test', correlationId: randomUUID(), causationId: randomUUID() },
});

const STREAMS = ['learner-a', 'learner-b', 'learner-c'];

/** The audit tables, as a process's data source makes them on opening. */
async function migrateAuditTables(url: string): Promise<void> {
  await (await openReadModels(url, { poolSize: 2, tables: [AUDIT_TABLES] })).destroy();
}

/** A ledger of three interleaved streams with its tree, a witness folder and a checkpoint key. */
async function ledger(label: string) {
  const db = await freshDatabase(label);
  const store = await PostgresEventStore.create({ connectionString: db.url });
  const pool = new Pool({ connectionString: db.url, max: 3 });
  await migrateAuditTables(db.url);
  const folder = mkdtempSync(join(tmpdir(), 'witness-'));
  const witness = new FolderWitness(folder);
  const { signer } = CheckpointSigner.generate();
  const tree = new LogTree(pool, store, { pageSize: 7 });
  const checkpointer = new Checkpointer(tree, signer, witness, {
    everyEvents: 1000,
    intervalMs: 60_000,
  });
  const ids: Record<string, string[]> = { 'learner-a': [], 'learner-b': [], 'learner-c': [] };
  const appendRounds = async (rounds: number): Promise<void> => {
    let last: bigint | undefined;
    for (let round = 0; round < rounds; round++) {
      for (const s of STREAMS) {
        const e = event({ researchId: `${s}-${round}`, twelfths: '6' });
        last = (await store.append(s, [e])).position;
        ids[s]?.push(e.id);
      }
    }
    // Until the log shows the last append: on a shared server a transaction of another database
    // holds a new reader back for a moment, and the tests read the log right after.
    for (const deadline = Date.now() + 5000; last !== undefined && Date.now() < deadline;) {
      if ((await store.readAll({ after: last - 1n, maxCount: 1 })).length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  /** As a superuser with the immutability triggers disabled, in one transaction. */
  const tamper = async (work: (q: Pool['query']) => Promise<unknown>): Promise<void> => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('ALTER TABLE events DISABLE TRIGGER USER');
      await work(c.query.bind(c) as Pool['query']);
      await c.query('ALTER TABLE events ENABLE TRIGGER USER');
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  };
  const close = async (): Promise<void> => {
    await store.close();
    await pool.end();
    await db.drop();
    rmSync(folder, { recursive: true, force: true });
  };
  return { store, pool, tree, checkpointer, signer, witness, ids, appendRounds, tamper, close };
}
type Ledger = Awaited<ReturnType<typeof ledger>>;

describe('signed checkpoints and proofs over a PostgreSQL log', () => {
  let l: Ledger;
  beforeAll(async () => {
    l = await ledger('transparency');
    await l.appendRounds(5);
  });
  afterAll(() => l.close());

  it('signs checkpoints kept in the witness folder and in the database, and proves an event offline', async () => {
    const first = await l.checkpointer.checkpointNow();
    expect(first.treeSize).toBe(15);
    await l.appendRounds(4);
    const second = await l.checkpointer.checkpointNow();
    expect(second.treeSize).toBe(27);
    const kept = readFileSync(l.witness.file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(kept).toEqual([first, second]);
    expect(await l.tree.checkpoint()).toEqual(second);
    expect(await l.tree.checkpoint(15)).toEqual(first);

    const proofs = new AuditProofs(l.tree, l.store);
    const publicKey = l.signer.publicKeyPem();
    const eventId = l.ids['learner-b']?.[3] as string;
    // A proof is a JSON document: checked from its text alone.
    const proof = JSON.parse(JSON.stringify(await proofs.inclusion(eventId)));
    expect(proof.treeSize).toBe(27);
    expect(checkInclusionProof(proof, publicKey)).toEqual(expect.objectContaining({ ok: true }));
    const altered = {
      ...proof,
      event: { ...proof.event, data: { ...proof.event.data, twelfths: '12' } },
    };
    expect(checkInclusionProof(altered, publicKey).ok).toBe(false);
    const otherKey = CheckpointSigner.generate().signer.publicKeyPem();
    expect(checkInclusionProof(proof, otherKey).detail).toMatch(/not by this public key/);
    const forged = { ...proof, checkpoint: { ...proof.checkpoint, treeSize: 26 }, treeSize: 26 };
    expect(checkInclusionProof(forged, publicKey).detail).toMatch(/signature does not match/);
    // In the earlier checkpoint too.
    expect(checkInclusionProof(await proofs.inclusion(eventId, 15), publicKey).ok).toBe(true);

    const consistency = JSON.parse(JSON.stringify(await proofs.consistency(15)));
    expect(checkConsistencyProof(consistency, publicKey).ok).toBe(true);
    const wrongRoot = { ...consistency, path: [...consistency.path].reverse() };
    expect(checkConsistencyProof(wrongRoot, publicKey).ok).toBe(false);

    const report = await verifyAgainstCheckpoint(l.store, l.tree, second, publicKey);
    expect(report).toEqual(
      expect.objectContaining({ ok: true, eventsRead: 27, treeCopyIntact: true }),
    );
  });

  it('a checkpoint asked for now covers what was committed, while a transaction of another database holds a new reader back', async () => {
    const other = await freshDatabase('transparency_foreign');
    const foreign = new Client({ connectionString: other.url });
    await foreign.connect();
    const fresh = await ledger('transparency_held');
    try {
      await foreign.query('BEGIN');
      await foreign.query('SELECT pg_current_xact_id()');
      await fresh.appendRounds(2);
      // A store that has not yet seen that transaction: its first read stops below it.
      const store = await PostgresEventStore.create({
        connectionString: fresh.store.pool.options.connectionString!,
      });
      try {
        const tree = new LogTree(fresh.pool, store, { pageSize: 7 });
        const signed = await new Checkpointer(tree, fresh.signer, fresh.witness, {
          everyEvents: 1000,
          intervalMs: 60_000,
        }).checkpointNow();
        expect(signed.treeSize).toBe(6);
      } finally {
        await store.close();
      }
    } finally {
      await foreign.query('ROLLBACK');
      await foreign.end();
      await fresh.close();
      await other.drop();
    }
  });

  it('signs only when due: after everyEvents more events, or the interval', async () => {
    const before = await l.tree.checkpoint();
    let now = new Date(Date.parse(before?.issuedAt as string) + 1000);
    const due = new Checkpointer(l.tree, l.signer, l.witness, {
      everyEvents: 6,
      intervalMs: 60_000,
      clock: () => now,
    });
    await l.appendRounds(1);
    expect((await due.turn()).checkpoint).toBeUndefined();
    await l.appendRounds(1);
    expect((await due.turn()).checkpoint?.treeSize).toBe(33);
    await l.appendRounds(1);
    now = new Date(now.getTime() + 60_000);
    expect((await due.turn()).checkpoint?.treeSize).toBe(36);
  });
});

describe('verification against the latest signed checkpoint names the first wrong event (as a superuser)', () => {
  let l: Ledger;
  let publicKey: string;
  beforeEach(async () => {
    l = await ledger('tamper');
    await l.appendRounds(6);
    await l.checkpointer.checkpointNow();
    publicKey = l.signer.publicKeyPem();
  });
  afterEach(() => l.close());

  const latest = async () =>
    (await l.tree.checkpoint()) as NonNullable<Awaited<ReturnType<LogTree['checkpoint']>>>;

  it("a stream rewritten with its links recomputed by the ledger's own functions", async () => {
    const target = l.ids['learner-b']?.[2] as string;
    // Recompute every link of the stream from the genesis, and its head, as a forger would.
    const events = (await l.store.readStream('learner-b')).map((e) =>
      e.id === target ? { ...e, data: { ...e.data, twelfths: '60' } } : e,
    );
    await l.tamper(async (q) => {
      let previous = genesisHash('learner-b');
      for (const e of events) {
        previous = chainLink(previous, e.revision, contentDigest(e));
        await q('UPDATE events SET data = $2, hash = $3 WHERE event_id = $1', [
          e.id,
          e.data,
          previous,
        ]);
      }
      await q('UPDATE streams SET last_hash = $2 WHERE stream_name = $1', ['learner-b', previous]);
    });
    expect((await l.store.verifyStream('learner-b')).ok).toBe(true);

    const report = await verifyAgainstCheckpoint(l.store, l.tree, await latest(), publicKey);
    expect(report.ok).toBe(false);
    expect(report.firstWrongEvent).toEqual(
      expect.objectContaining({
        kind: 'altered',
        found: expect.objectContaining({ eventId: target, streamName: 'learner-b', revision: '2' }),
      }),
    );
    // The command side refuses the stream when it first loads it; the others load.
    const verifier = new StreamVerifier(l.store, l.tree);
    await expect(verifier.assertIntact('learner-b')).rejects.toThrow(StreamIntegrityError);
    expect(verifier.failures()).toEqual([
      expect.objectContaining({
        streamName: 'learner-b',
        kind: 'rewritten',
        revision: '2',
        eventId: target,
      }),
    ]);
    await expect(verifier.assertIntact('learner-a')).resolves.toBeUndefined();
  });

  it('a load from a snapshot: the events after it are verified at once, the rest in the background, which then refuses the stream', async () => {
    const [anchor, ...tail] = await l.store.readStream('learner-b', { fromRevision: 3n });
    const target = tail[0]!.id;

    // The events after the snapshot's event, one altered in place: refused at once, named.
    await l.tamper((q) =>
      q("UPDATE events SET data = jsonb_set(data, '{twelfths}', '\"60\"') WHERE event_id = $1", [
        target,
      ]),
    );
    const altered = await l.store.readStream('learner-b', { fromRevision: 4n });
    const first = new StreamVerifier(l.store, l.tree);
    await expect(first.assertTailIntact('learner-b', anchor!, altered)).rejects.toThrow(
      /learner-b failed verification \(altered at revision 4\)/,
    );

    // Rewritten before the snapshot's event with every link recomputed to the head, as a
    // forger would: the snapshot's event's leaf no longer matches, refused without reading back.
    const earlier = l.ids['learner-b']?.[1] as string;
    const rewrite = async (ledgerOf: Ledger, eventId: string): Promise<void> => {
      const events = (await ledgerOf.store.readStream('learner-b')).map((e) =>
        e.id === eventId ? { ...e, data: { ...e.data, twelfths: '60' } } : e,
      );
      await ledgerOf.tamper(async (q) => {
        let previous = genesisHash('learner-b');
        for (const e of events) {
          previous = chainLink(previous, e.revision, contentDigest(e));
          await q('UPDATE events SET data = $2, hash = $3 WHERE event_id = $1', [
            e.id,
            e.data,
            previous,
          ]);
        }
        await q('UPDATE streams SET last_hash = $2 WHERE stream_name = $1', [
          'learner-b',
          previous,
        ]);
      });
    };
    await l.tamper((q) =>
      q("UPDATE events SET data = jsonb_set(data, '{twelfths}', '\"6\"') WHERE event_id = $1", [
        target,
      ]),
    );
    await rewrite(l, earlier);
    const [rewrittenAnchor, ...rewrittenTail] = await l.store.readStream('learner-b', {
      fromRevision: 3n,
    });
    const second = new StreamVerifier(l.store, l.tree);
    await expect(
      second.assertTailIntact('learner-b', rewrittenAnchor!, rewrittenTail),
    ).rejects.toThrow(/learner-b failed verification \(rewritten at revision 3\)/);

    // The same, where the tree has no leaf yet for the snapshot's event and after: the load
    // goes on from the snapshot, and the background pass finds the rewrite and refuses the
    // stream from then on.
    const lagging = await ledger('tail');
    try {
      await lagging.appendRounds(3);
      await lagging.checkpointer.checkpointNow();
      await lagging.appendRounds(3);
      await rewrite(lagging, lagging.ids['learner-b']?.[1] as string);
      const [snapshotEvent, ...after] = await lagging.store.readStream('learner-b', {
        fromRevision: 4n,
      });
      const verifier = new StreamVerifier(lagging.store, lagging.tree);
      await expect(
        verifier.assertTailIntact('learner-b', snapshotEvent!, after),
      ).resolves.toBeUndefined();
      // The background pass (the executor starts it once the command is decided), as the next
      // load would meet it.
      verifier.verifyInBackground('learner-b');
      await expect(verifier.check('learner-b')).resolves.toEqual(
        expect.objectContaining({ kind: 'rewritten', revision: '1' }),
      );
      await expect(verifier.assertTailIntact('learner-b', snapshotEvent!, after)).rejects.toThrow(
        StreamIntegrityError,
      );
    } finally {
      await lagging.close();
    }
  });

  it('a stream truncated: its last event deleted and its head row fixed', async () => {
    const removed = l.ids['learner-c']?.[5] as string;
    const [last] = await l.store.readStream('learner-c', { fromRevision: 4n, maxCount: 1 });
    await l.tamper(async (q) => {
      await q('DELETE FROM events WHERE event_id = $1', [removed]);
      await q(
        'UPDATE streams SET revision = $2, last_hash = $3, last_position = $4 WHERE stream_name = $1',
        [
          'learner-c',
          String(last?.revision),
          Buffer.from(last?.hash as string, 'hex'),
          String(last?.position),
        ],
      );
    });
    expect((await l.store.verifyStream('learner-c')).ok).toBe(true);

    const report = await verifyAgainstCheckpoint(l.store, l.tree, await latest(), publicKey);
    expect(report.ok).toBe(false);
    expect(report.firstWrongEvent).toEqual(
      expect.objectContaining({
        kind: 'missing',
        expected: expect.objectContaining({
          eventId: removed,
          streamName: 'learner-c',
          revision: '5',
        }),
      }),
    );
    expect(report.detail).toContain(removed);
    const verifier = new StreamVerifier(l.store, l.tree);
    expect(await verifier.check('learner-c')).toEqual(
      expect.objectContaining({ kind: 'removed', revision: '5', eventId: removed }),
    );
  });

  it('a stream removed whole, head and all', async () => {
    const first = l.ids['learner-a']?.[0] as string;
    await l.tamper(async (q) => {
      await q('DELETE FROM events WHERE stream_name = $1', ['learner-a']);
      await q('DELETE FROM streams WHERE stream_name = $1', ['learner-a']);
    });
    expect((await l.store.verifyAll()).ok).toBe(true);

    const report = await verifyAgainstCheckpoint(l.store, l.tree, await latest(), publicKey);
    expect(report.ok).toBe(false);
    expect(report.firstWrongEvent?.expected).toEqual(
      expect.objectContaining({ eventId: first, streamName: 'learner-a', revision: '0' }),
    );
    const verifier = new StreamVerifier(l.store, l.tree);
    await expect(verifier.assertIntact('learner-a')).rejects.toThrow(
      /learner-a failed verification \(removed at revision 0\)/,
    );
  });

  it('the log and the database copy of the tree both rewritten: the signed roots still refuse it', async () => {
    await l.appendRounds(2);
    await l.checkpointer.checkpointNow(); // 24 events
    await l.appendRounds(2);
    await l.checkpointer.checkpointNow(); // 30 events
    const target = l.ids['learner-a']?.[7] as string; // the log's 22nd event (7 rounds × 3)
    await l.tamper((q) =>
      q(`UPDATE events SET data = jsonb_set(data, '{twelfths}', '"60"') WHERE event_id = $1`, [
        target,
      ]),
    );
    // The forger rebuilds the tree from the altered log; it cannot sign the new root.
    await l.pool.query('TRUNCATE audit_tree_leaves, audit_tree_nodes');
    await new LogTree(l.pool, l.store).extend();
    const signed = await l.witness.all();
    expect(signed.map((c) => c.treeSize)).toEqual([18, 24, 30]);
    const report = await verifyAgainstCheckpoint(l.store, l.tree, signed[2]!, publicKey, {
      earlierCheckpoints: signed,
    });
    expect(report.ok).toBe(false);
    expect(report.treeCopyIntact).toBe(false);
    // The checkpoint of 18 still matches, the one of 24 does not: the tampering is in 19..24.
    expect(report.firstFailingCheckpoint?.treeSize).toBe(24);
  });
});

describe('the same tree over the EventStoreDB adapter (its stand-in client): built through the port', () => {
  it('extends, signs, proves and verifies streams as over PostgreSQL', async () => {
    // Direct paths: the adapter is not in the barrel (its client pulls in gRPC).
    const { EventStoreDbEventStore } =
      await import('../../../event-store/src/eventstoredb/eventstoredb-event-store');
    const { FakeEventStoreDbClient } =
      await import('../../../event-store/src/eventstoredb/fake-eventstoredb-client');
    const fake = new FakeEventStoreDbClient();
    const store = await EventStoreDbEventStore.open(fake, {
      serverVersion: async () => fake.serverVersion,
      log: () => undefined,
    });
    const db = await freshDatabase('transparency_esdb');
    const pool = new Pool({ connectionString: db.url, max: 2 });
    const folder = mkdtempSync(join(tmpdir(), 'witness-'));
    try {
      await migrateAuditTables(db.url);
      const ids: string[] = [];
      for (let round = 0; round < 4; round++) {
        for (const s of STREAMS) {
          const e = event({ researchId: `${s}-${round}`, twelfths: '6' });
          ids.push(e.id);
          await store.append(s, [e]);
        }
      }
      const tree = new LogTree(pool, store, { pageSize: 5 });
      const { signer } = CheckpointSigner.generate();
      const checkpoint = await new Checkpointer(tree, signer, new FolderWitness(folder), {
        everyEvents: 1000,
        intervalMs: 60_000,
      }).checkpointNow();
      expect(checkpoint.treeSize).toBe(12);
      const proof = await new AuditProofs(tree, store).inclusion(ids[7] as string);
      expect(checkInclusionProof(proof, signer.publicKeyPem()).ok).toBe(true);
      const report = await verifyAgainstCheckpoint(store, tree, checkpoint, signer.publicKeyPem());
      expect(report.ok).toBe(true);
      await expect(new StreamVerifier(store, tree).check('learner-b')).resolves.toBeUndefined();
    } finally {
      await store.close();
      await pool.end();
      await db.drop();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('the verifier remembers intact streams within a bound of bytes', () => {
  let l: Ledger;
  beforeAll(async () => {
    l = await ledger('verified_cache');
  });
  afterAll(() => l.close());

  it('forgets the oldest past its bound and verifies them again when next loaded; never forgets a broken one', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `cache-${i}`);
    for (const name of names) await l.store.append(name, [event({ researchId: name })]);
    // 64 bytes and two a character: 78 bytes a name, so five fit in 400.
    const verifier = new StreamVerifier(l.store, l.tree, { cacheBytes: 400 });
    for (const name of names) expect(await verifier.check(name)).toBeUndefined();
    expect(verifier.figures()).toEqual({ entries: 5, bytes: 390, limitBytes: 400 });

    const alter = (name: string) =>
      l.tamper((q) =>
        q(`UPDATE events SET data = jsonb_set(data, '{twelfths}', '"60"') WHERE stream_name = $1`, [
          name,
        ]),
      );
    await alter('cache-0');
    await alter('cache-9');
    // The newest is remembered intact (not read again); the oldest was forgotten, so it is read
    // again and found altered.
    expect(await verifier.check('cache-9')).toBeUndefined();
    expect(await verifier.check('cache-0')).toEqual(
      expect.objectContaining({ streamName: 'cache-0', kind: 'altered' }),
    );
    for (let i = 10; i < 20; i++) {
      await l.store.append(`cache-${i}`, [event({ researchId: `cache-${i}` })]);
      await verifier.check(`cache-${i}`);
    }
    expect(verifier.figures().bytes).toBeLessThanOrEqual(400);
    expect(verifier.failures().map((p) => p.streamName)).toEqual(['cache-0']);
    await expect(verifier.assertIntact('cache-0')).rejects.toThrow(StreamIntegrityError);
  });
});

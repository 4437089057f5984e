import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { AuditCheckpoint, AuditTreeLeaf, AuditTreeNode } from '@ledger/audit';
import { EVENT_STORE_MIGRATIONS, runMigrations } from '@ledger/event-store';
import { FeedDeadLetter, FeedSubscription, feedStatus } from '@ledger/feed';
import {
  ErasedLearner,
  IdempotencyRecord,
  PersonalDataCipher,
  ProcessCheckpoint,
  StreamSnapshot,
} from '@ledger/ledger';
import { openReadModels, projectionStates } from '@ledger/read-models';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import {
  LEGACY_AUDIT_MIGRATIONS,
  LEGACY_AUDIT_MIGRATIONS_LOCK,
  LEGACY_AUDIT_MIGRATIONS_TABLE,
  LEGACY_FEED_MIGRATIONS,
  LEGACY_FEED_MIGRATIONS_LOCK,
  LEGACY_FEED_MIGRATIONS_TABLE,
  LEGACY_LEDGER_MIGRATIONS,
  LEGACY_LEDGER_MIGRATIONS_LOCK,
  LEGACY_LEDGER_MIGRATIONS_TABLE,
} from '../../../test/support/legacy-ledger-ddl';
import {
  freshDatabaseWithRoles,
  type FreshDatabaseWithRoles,
} from '../../../test/support/test-database';
import { openLedgerDataSource } from './data-source';
import { migrateAsOwner } from './database-roles';

const MASTER_KEY = Buffer.alloc(32, 5);

/**
 * A learner's key and a ciphertext as the previous version wrote them (PersonalDataCipher's
 * format: the data key wrapped as iv ‖ tag ‖ AES-256-GCM under the master key; personal data
 * as `pd1.<key id>.<iv>.<tag>.<data>`, the learner id as associated data).
 */
function previousVersionKey(learnerId: string, value: unknown) {
  const key = randomBytes(32);
  const keyId = randomUUID();
  const wrapIv = randomBytes(12);
  const wrapper = createCipheriv('aes-256-gcm', MASTER_KEY, wrapIv);
  const wrapped = Buffer.concat([wrapper.update(key), wrapper.final()]);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(learnerId, 'utf8'));
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return {
    keyId,
    wrappedKey: Buffer.concat([wrapIv, wrapper.getAuthTag(), wrapped]),
    ciphertext: ['pd1', keyId, iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.'),
  };
}

/**
 * The database as the previous version's start-up left it: the event store's migrations, the
 * operational tables from hand-written DDL (each set in its own bookkeeping table), and
 * TypeORM's migrations of projection_state only.
 */
async function previousVersionDatabase(db: FreshDatabaseWithRoles): Promise<void> {
  const pool = new Pool({ connectionString: db.ownerUrl, max: 2 });
  try {
    await runMigrations(pool, EVENT_STORE_MIGRATIONS);
    await runMigrations(
      pool,
      LEGACY_LEDGER_MIGRATIONS,
      LEGACY_LEDGER_MIGRATIONS_TABLE,
      LEGACY_LEDGER_MIGRATIONS_LOCK,
    );
    await runMigrations(
      pool,
      LEGACY_FEED_MIGRATIONS,
      LEGACY_FEED_MIGRATIONS_TABLE,
      LEGACY_FEED_MIGRATIONS_LOCK,
    );
    await runMigrations(
      pool,
      LEGACY_AUDIT_MIGRATIONS,
      LEGACY_AUDIT_MIGRATIONS_TABLE,
      LEGACY_AUDIT_MIGRATIONS_LOCK,
    );
  } finally {
    await pool.end();
  }
  await (await openReadModels(db.ownerUrl, { poolSize: 2 })).destroy();
}

/** What starting a process of this version does to the database: openDatabase, then its data source. */
async function startNewVersion(db: FreshDatabaseWithRoles): Promise<DataSource> {
  await migrateAsOwner({
    ownerUrl: db.ownerUrl,
    serviceUrl: db.serviceUrl,
    eventStore: 'postgres',
  });
  return openLedgerDataSource(db.serviceUrl, { poolSize: 2, name: 'upgrade-test' });
}

/** The statements TypeORM would run to make the database match the entities (none: it does). */
async function schemaDifferences(url: string): Promise<string[]> {
  const owner = await openLedgerDataSource(url, { poolSize: 2 });
  try {
    const sql = await owner.driver.createSchemaBuilder().log();
    return sql.upQueries.map((q) => q.query);
  } finally {
    await owner.destroy();
  }
}

const appliedMigrations = async (ds: DataSource): Promise<string[]> =>
  (
    (await ds.query('SELECT name FROM read_model_migrations ORDER BY id')) as { name: string }[]
  ).map((r) => r.name);

describe('operational tables: TypeORM entities made by TypeORM migrations', () => {
  let db: FreshDatabaseWithRoles;
  let learner: ReturnType<typeof previousVersionKey>;
  const learnerId = 'learner-before-upgrade';
  const snapshot = {
    streamName: `learner-${learnerId}`,
    stateVersion: 'learner/7',
    revision: '41',
    eventId: randomUUID(),
    state: '{"profile":null}',
    commands: '["c1"]',
  };
  const deadLetterId = randomUUID();

  beforeAll(async () => {
    db = await freshDatabaseWithRoles('upgrade');
    await previousVersionDatabase(db);
    learner = previousVersionKey(learnerId, { firstName: 'Adaline' });
    // Rows as the previous version wrote them, with its own statements.
    const owner = new Pool({ connectionString: db.ownerUrl, max: 1 });
    try {
      await owner.query(
        'INSERT INTO learner_keys (learner_id, key_id, wrapped_key) VALUES ($1, $2, $3)',
        [learnerId, learner.keyId, learner.wrappedKey],
      );
      await owner.query(`INSERT INTO erased_learners (learner_id) VALUES ('learner-erased')`);
      await owner.query(
        `INSERT INTO idempotency_records (scope, key, request_hash, state, status, body, headers)
         VALUES ('key-1', 'idem-1', 'hash-1', 'done', 201, '{"revision":"3"}', '{"etag":"\\"3\\""}')`,
      );
      await owner.query(
        `INSERT INTO process_checkpoints (name, position) VALUES ('board-submission-process', 9007199254740993)`,
      );
      await owner.query(
        `INSERT INTO stream_snapshots (stream_name, state_version, revision, event_id, state, commands)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        Object.values(snapshot),
      );
      await owner.query(
        `INSERT INTO feed_subscriptions (name, position, delivered) VALUES ('webhook', 5242881, 12)`,
      );
      await owner.query(
        `INSERT INTO feed_dead_letters (subscription, event_id, position, stream_name, event_type, attempts, last_error)
         VALUES ('webhook', $1, 4194305, 'learner-x', 'AnswerCorrect', 5, '410 Gone')`,
        [deadLetterId],
      );
      await owner.query(
        `INSERT INTO audit_tree_leaves (leaf_index, event_id, stream_name, revision, position, hash)
         VALUES (0, 'e-0', 'learner-x', 0, 1048577, '\\x00ff'), (1, 'e-1', 'learner-x', 1, 1048578, '\\x01ff')`,
      );
      await owner.query(
        `INSERT INTO audit_tree_nodes (level, node_index, hash) VALUES (1, 0, '\\xabcd')`,
      );
      await owner.query(
        `INSERT INTO audit_checkpoints (tree_size, position, checkpoint) VALUES (2, 1048578, '{"treeSize":"2"}')`,
      );
      await owner.query(
        `INSERT INTO projection_state (name, live_generation, live_position) VALUES ('credit-balances', 3, 1048578)`,
      );
    } finally {
      await owner.end();
    }
  });
  afterAll(async () => {
    await db.drop();
  });

  it('two processes of the new version starting together upgrade it once, every row kept and read through the entities', async () => {
    const [first, second] = await Promise.all([startNewVersion(db), startNewVersion(db)]);
    try {
      // The previous key still opens what it encrypted.
      const cipher = new PersonalDataCipher(first, MASTER_KEY);
      expect(await cipher.decrypt(learnerId, learner.ciphertext)).toEqual({ firstName: 'Adaline' });
      expect(
        await first.getRepository(ErasedLearner).findOneBy({ learnerId: 'learner-erased' }),
      ).toEqual(
        expect.objectContaining({ learnerId: 'learner-erased', erasedAt: expect.any(Date) }),
      );
      expect(
        await second.getRepository(IdempotencyRecord).findOneBy({ scope: 'key-1', key: 'idem-1' }),
      ).toEqual(
        expect.objectContaining({
          requestHash: 'hash-1',
          state: 'done',
          status: 201,
          body: '{"revision":"3"}',
          headers: { etag: '"3"' },
        }),
      );
      // A position past 2^53 comes back exact (bigint as a string).
      expect(
        await first
          .getRepository(ProcessCheckpoint)
          .findOneBy({ name: 'board-submission-process' }),
      ).toEqual(expect.objectContaining({ position: '9007199254740993' }));
      expect(
        await first.getRepository(StreamSnapshot).findOneBy({ streamName: snapshot.streamName }),
      ).toEqual(expect.objectContaining(snapshot));
      expect(await feedStatus(first, 'webhook')).toEqual(
        expect.objectContaining({ position: '5242881', delivered: '12', deadLetters: 1 }),
      );
      expect(
        await first.getRepository(FeedDeadLetter).findOneBy({ eventId: deadLetterId }),
      ).toEqual(
        expect.objectContaining({ attempts: 5, lastError: '410 Gone', position: '4194305' }),
      );
      expect(await first.getRepository(FeedSubscription).count()).toBe(1);
      expect(
        await first.getRepository(AuditTreeLeaf).find({ order: { leafIndex: 'ASC' } }),
      ).toEqual([
        expect.objectContaining({
          leafIndex: '0',
          eventId: 'e-0',
          hash: Buffer.from('00ff', 'hex'),
        }),
        expect.objectContaining({
          leafIndex: '1',
          eventId: 'e-1',
          hash: Buffer.from('01ff', 'hex'),
        }),
      ]);
      expect(await first.getRepository(AuditTreeNode).findOneBy({ level: 1 })).toEqual(
        expect.objectContaining({ nodeIndex: '0', hash: Buffer.from('abcd', 'hex') }),
      );
      expect(await first.getRepository(AuditCheckpoint).findOneBy({ treeSize: '2' })).toEqual(
        expect.objectContaining({ position: '1048578', checkpoint: { treeSize: '2' } }),
      );
      expect(await projectionStates(first)).toEqual([
        expect.objectContaining({
          name: 'credit-balances',
          liveGeneration: 3,
          livePosition: '1048578',
        }),
      ]);
      // Each migration recorded once, though two processes started.
      expect(await appliedMigrations(first)).toEqual([
        'ProjectionState1764300000000',
        'ProjectionQuarantine1764900000000',
        'OperationalTables1765000000000',
        'FeedTables1765000000001',
        'AuditTables1765000000002',
      ]);
    } finally {
      await first.destroy();
      await second.destroy();
    }
  });

  it('the upgraded schema is the entities’ exactly: TypeORM finds nothing to change', async () => {
    expect(await schemaDifferences(db.ownerUrl)).toEqual([]);
  });

  it('a second start is a no-op: no migration runs, no row changes', async () => {
    const owner = new Pool({ connectionString: db.ownerUrl, max: 1 });
    const snapshotOf = async () =>
      (
        await owner.query<{ t: string }>(
          `SELECT string_agg(t, E'\\n' ORDER BY t) AS t FROM (
             SELECT 'm ' || id || ' ' || name || ' ' || "timestamp" AS t FROM read_model_migrations
             UNION ALL SELECT 'k ' || learner_id || ' ' || key_id FROM learner_keys
             UNION ALL SELECT 'i ' || scope || ' ' || key || ' ' || state || ' ' || updated_at FROM idempotency_records
             UNION ALL SELECT 'p ' || name || ' ' || position || ' ' || updated_at FROM process_checkpoints
             UNION ALL SELECT 's ' || stream_name || ' ' || revision FROM stream_snapshots
             UNION ALL SELECT 'f ' || name || ' ' || position FROM feed_subscriptions
             UNION ALL SELECT 'l ' || leaf_index FROM audit_tree_leaves) x`,
        )
      ).rows[0]!.t;
    try {
      const before = await snapshotOf();
      const again = await startNewVersion(db);
      try {
        expect(await again.showMigrations()).toBe(false);
      } finally {
        await again.destroy();
      }
      expect(await snapshotOf()).toBe(before);
    } finally {
      await owner.end();
    }
  });

  it('a database the new version makes from nothing has the same schema', async () => {
    const fresh = await freshDatabaseWithRoles('fresh_schema');
    try {
      await (await startNewVersion(fresh)).destroy();
      expect(await schemaDifferences(fresh.ownerUrl)).toEqual([]);
    } finally {
      await fresh.drop();
    }
  });
});

import type { Pool } from 'pg';

/**
 * The event store's schema. Each migration runs once, in order, inside one transaction that
 * holds an advisory lock, so two processes starting at once apply it once and both go on.
 * Never edit a migration that has shipped: add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const EVENT_STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, streams, append function, immutability',
    sql: /* sql */ `
-- The global order. position = (writing transaction id << 20) | ordinal of the event within
-- its append. Readers only read below (xmin of their snapshot << 20): every transaction with a
-- smaller id has finished, so nothing can ever commit below what a reader has seen. Ordering
-- and paging by one 64-bit key that is the order itself means a checkpoint is one number, and
-- a page boundary can neither repeat nor skip an event (see postgres-event-store.ts).
CREATE TABLE events (
  position        bigint      PRIMARY KEY,
  stream_name     text        NOT NULL,
  stream_revision bigint      NOT NULL CHECK (stream_revision >= 0),
  event_id        uuid        NOT NULL,
  event_type      text        NOT NULL,
  schema_version  integer     NOT NULL CHECK (schema_version >= 1),
  data            jsonb       NOT NULL,
  metadata        jsonb       NOT NULL,
  recorded_at     timestamptz NOT NULL,
  hash            bytea       NOT NULL CHECK (octet_length(hash) = 32),
  CONSTRAINT events_event_id_unique UNIQUE (event_id),
  CONSTRAINT events_stream_revision_unique UNIQUE (stream_name, stream_revision)
);

-- The head of every stream: its last revision, link and position. Appends lock this row,
-- which is what serialises writers of one stream (optimistic concurrency on top of it).
CREATE TABLE streams (
  stream_name   text   PRIMARY KEY,
  revision      bigint NOT NULL,
  last_hash     bytea  NOT NULL,
  last_position bigint NOT NULL
);

CREATE FUNCTION events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are immutable: % on events is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_are_immutable();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_are_immutable();

-- One round trip per append. The digest of each event is computed by the caller
-- (hash-chain.ts); the link is chained here, under the stream's row lock:
--   link(r) = sha256(link(r - 1) || uint64be(r) || digest)
-- Outcomes: appended | duplicate (every id stored before, in this stream: the first result)
--         | conflict (some ids stored before, or elsewhere) | wrong_expected_revision.
CREATE FUNCTION ledger_append(
  p_stream      text,
  p_expected    text,
  p_ids         uuid[],
  p_types       text[],
  p_versions    integer[],
  p_data        jsonb[],
  p_metadata    jsonb[],
  p_recorded_at timestamptz[],
  p_digests     bytea[],
  p_genesis     bytea
) RETURNS TABLE (outcome text, revision bigint, last_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_n        integer := cardinality(p_ids);
  v_rev      bigint;
  v_hash     bytea;
  v_last_pos bigint;
  v_xid      bigint;
  v_base     bigint;
  v_hashes   bytea[] := '{}';
  v_found    integer;
  v_same     integer;
BEGIN
  SELECT s.revision, s.last_hash, s.last_position INTO v_rev, v_hash, v_last_pos
    FROM streams s WHERE s.stream_name = p_stream FOR UPDATE;
  IF NOT FOUND THEN
    v_rev := -1; v_hash := p_genesis; v_last_pos := -1;
  END IF;

  -- Idempotency by event id, checked under the lock so that a retry racing its original
  -- sees the original committed.
  SELECT count(*), count(*) FILTER (WHERE e.stream_name = p_stream)
    INTO v_found, v_same FROM events e WHERE e.event_id = ANY (p_ids);
  IF v_found > 0 THEN
    IF v_found = v_n AND v_same = v_n THEN
      RETURN QUERY SELECT 'duplicate'::text, max(e.stream_revision), max(e.position)
        FROM events e WHERE e.event_id = ANY (p_ids);
    ELSE
      RETURN QUERY SELECT 'conflict'::text, v_rev, NULL::bigint;
    END IF;
    RETURN;
  END IF;

  IF (p_expected = 'no_stream' AND v_rev <> -1)
     OR (p_expected = 'stream_exists' AND v_rev = -1)
     OR (p_expected NOT IN ('any', 'no_stream', 'stream_exists') AND p_expected::bigint <> v_rev) THEN
    RETURN QUERY SELECT 'wrong_expected_revision'::text, v_rev, NULL::bigint;
    RETURN;
  END IF;

  v_xid := pg_current_xact_id()::text::bigint;
  IF v_xid >= (1::bigint << 43) THEN
    RAISE EXCEPTION 'ledger_append: transaction id % exceeds the 43 bits of the position', v_xid;
  END IF;
  v_base := v_xid << 20;
  -- Two writers of one stream may take their transaction ids in one order and the row lock
  -- in the other; then this writer's positions would sort before the head's. Retry it in a
  -- new transaction (a newer id) so that positions always follow revisions.
  IF v_base <= v_last_pos THEN
    RAISE EXCEPTION 'ledger_append: stream % head is newer than this transaction; retry', p_stream
      USING ERRCODE = 'serialization_failure';
  END IF;

  FOR i IN 1 .. v_n LOOP
    v_hash := sha256(v_hash || int8send(v_rev + i) || p_digests[i]);
    v_hashes := v_hashes || v_hash;
  END LOOP;

  INSERT INTO events (position, stream_name, stream_revision, event_id, event_type,
                      schema_version, data, metadata, recorded_at, hash)
  SELECT v_base + u.o, p_stream, v_rev + u.o, u.id, u.type, u.version, u.data, u.metadata,
         u.recorded_at, v_hashes[u.o]
    FROM unnest(p_ids, p_types, p_versions, p_data, p_metadata, p_recorded_at)
         WITH ORDINALITY AS u(id, type, version, data, metadata, recorded_at, o);

  INSERT INTO streams AS s (stream_name, revision, last_hash, last_position)
    VALUES (p_stream, v_rev + v_n, v_hash, v_base + v_n)
    ON CONFLICT (stream_name) DO UPDATE
      SET revision = EXCLUDED.revision, last_hash = EXCLUDED.last_hash,
          last_position = EXCLUDED.last_position;

  RETURN QUERY SELECT 'appended'::text, v_rev + v_n, v_base + v_n;
END $$;
`,
  },
];

const LOCK_KEY = 'cme-ledger/event-store/migrations';

export async function runMigrations(
  pool: Pool,
  migrations: readonly Migration[],
  table = 'event_store_migrations',
  lockKey = LOCK_KEY,
): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (
         version integer PRIMARY KEY, name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${table}`);
    const applied = new Set(rows.map((r) => r.version));
    const ran: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query(`INSERT INTO ${table} (version, name) VALUES ($1, $2)`, [
        m.version,
        m.name,
      ]);
      ran.push(m.version);
    }
    await client.query('COMMIT');
    return ran;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

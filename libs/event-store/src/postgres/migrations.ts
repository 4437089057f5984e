import type { Pool } from 'pg';
import { LOG_WRITERS_AND_EPOCHS } from './log-writers.migration';
import type { Migration } from './migration';

export type { Migration } from './migration';

/**
 * The event store's schema. Each migration runs once, in order, inside one transaction that
 * holds an advisory lock, so two processes starting at once apply it once and both go on.
 * Never edit a migration that has shipped: add the next one.
 */
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
  // Its checks restate ledger_append's (migration 1): a shipped migration keeps the SQL it ran.
  {
    version: 2,
    name: 'ledger_append_group: appends to several streams in one call and transaction',
    sql: /* sql */ `
-- One round trip and one transaction for one or more appends, each to its own stream (a group:
-- the adapter merges concurrent appends to different streams into one call). Each append gets
-- its own outcome, as ledger_append's: appended | duplicate | conflict | wrong_expected_revision,
-- and retry (run this append again in a new transaction; nothing of it was written), when
--   * the stream's head was written by a transaction with a newer id than ours, so our
--     positions would sort before the head's (ledger_append raised serialization_failure);
--   * the stream did not exist, and a concurrent append created it first.
-- One append's outcome never fails another's. All events of a group share the transaction id,
-- so ordinals run on across the group: position = (xid << 20) | ordinal, ordinals 1 .. total
-- (below 2^20: checked). Steps: lock the existing heads, one by one in the order given (the
-- adapter sorts every group by stream name, so groups lock in one order and cannot deadlock);
-- check idempotency for every id at once, under the locks (a racing retry sees its original
-- committed); chain the links; claim the new streams' heads (INSERT .. ON CONFLICT DO NOTHING
-- waits for a concurrent creator: if it commits, that append is retried); insert every event
-- with one statement; update the existing heads with another (by the locked rows' ctids).
-- Inputs: per append p_streams (distinct, sorted), p_expected ('any' | 'no_stream' |
-- 'stream_exists' | a revision), p_counts, p_recorded_at; per event, append after append:
-- p_ids, 32 bytes each of p_digests (hash-chain.ts), and p_events, a JSON array of
-- {"t": type, "v": schema version, "d": data, "m": metadata}.
-- Outputs: per append, in the order given, outcomes, revisions (the stream's last revision
-- after it, or the actual one), positions (of its last event).
-- Plans: every statement has a generic plan, made once per session; enable_seqscan = off keeps
-- every table access a key lookup whatever the table's size was when the plan was made.
CREATE FUNCTION ledger_append_group(
  p_streams     text[],
  p_expected    text[],
  p_counts      integer[],
  p_recorded_at timestamptz[],
  p_ids         uuid[],
  p_events      jsonb,
  p_digests     bytea,
  OUT outcomes  text[],
  OUT revisions bigint[],
  OUT positions bigint[]
)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
#variable_conflict use_column
DECLARE
  v_m         integer;
  v_head_rev  bigint[];
  v_head_hash bytea[];
  v_head_pos  bigint[];
  v_head_tid  tid[];
  v_found     bigint[];
  v_same      bigint[];
  v_dup_rev   bigint[];
  v_dup_pos   bigint[];
  v_hash_out  bytea[];
  v_first     integer[];
  v_ord       integer[];
  v_app       integer[];
  v_links     bytea[];
  v_xid       bigint;
  v_base      bigint;
  v_k         integer;
  v_o         integer;
  v_n         integer;
  v_rev       bigint;
  v_hash      bytea;
  v_pos       bigint;
  v_tid       tid;
  v_new       integer;
  v_old       integer;
  v_claimed   text[];
BEGIN
  -- PL/pgSQL prepares every expression again in each transaction: the path a single append
  -- takes is kept short. Arrays are filled in order from subscript 1 (SELECT INTO sets its
  -- targets to NULL when no row is found).
  v_m := cardinality(p_streams);
  IF v_m > 1 THEN
    -- The streams come sorted: a stream twice would be side by side. (Were it not caught, the
    -- unique keys of events would still refuse the second append's events.)
    FOR i IN 2 .. v_m LOOP
      IF p_streams[i] = p_streams[i - 1] THEN
        RAISE EXCEPTION 'ledger_append_group: a stream appears twice in one group'
          USING ERRCODE = 'invalid_parameter_value';
      END IF;
    END LOOP;
  END IF;

  FOR i IN 1 .. v_m LOOP
    SELECT s.revision, s.last_hash, s.last_position, s.ctid INTO v_rev, v_hash, v_pos, v_tid
      FROM streams s WHERE s.stream_name = p_streams[i] FOR NO KEY UPDATE;
    v_head_rev[i] := v_rev;
    v_head_hash[i] := v_hash;
    v_head_pos[i] := v_pos;
    v_head_tid[i] := v_tid;
  END LOOP;

  IF EXISTS (SELECT 1 FROM events e WHERE e.event_id = ANY (p_ids)) THEN
    SELECT array_agg(f.found ORDER BY a.o), array_agg(f.same ORDER BY a.o),
           array_agg(f.r ORDER BY a.o), array_agg(f.p ORDER BY a.o)
      INTO v_found, v_same, v_dup_rev, v_dup_pos
      FROM (SELECT u.name, u.n, u.o, sum(u.n) OVER (ORDER BY u.o) - u.n AS st
              FROM unnest(p_streams, p_counts) WITH ORDINALITY AS u(name, n, o)) a
      CROSS JOIN LATERAL (
        SELECT count(*) AS found, count(*) FILTER (WHERE e.stream_name = a.name) AS same,
               max(e.stream_revision) AS r, max(e.position) AS p
          FROM events e WHERE e.event_id = ANY (p_ids[a.st + 1 : a.st + a.n])) f;
  END IF;

  v_xid := pg_current_xact_id()::text::bigint;
  IF v_xid >= (1::bigint << 43) THEN
    RAISE EXCEPTION 'ledger_append_group: transaction id % exceeds the 43 bits of the position', v_xid;
  END IF;
  v_base := v_xid << 20;

  v_k := 0; v_o := 0; v_new := 0; v_old := 0;
  FOR i IN 1 .. v_m LOOP
    v_n := p_counts[i];
    v_rev := coalesce(v_head_rev[i], -1);
    v_first[i] := v_k;
    IF v_found[i] > 0 THEN
      IF v_found[i] = v_n AND v_same[i] = v_n THEN
        outcomes[i] := 'duplicate'; revisions[i] := v_dup_rev[i]; positions[i] := v_dup_pos[i];
      ELSE
        outcomes[i] := 'conflict'; revisions[i] := v_rev; positions[i] := NULL;
      END IF;
    ELSIF (CASE p_expected[i]
             WHEN 'any' THEN false
             WHEN 'no_stream' THEN v_rev <> -1
             WHEN 'stream_exists' THEN v_rev = -1
             ELSE p_expected[i]::bigint <> v_rev
           END) THEN
      outcomes[i] := 'wrong_expected_revision'; revisions[i] := v_rev; positions[i] := NULL;
    ELSIF v_base <= v_head_pos[i] THEN
      -- Our transaction id is older than the head's: positions would not follow revisions.
      outcomes[i] := 'retry'; revisions[i] := v_rev; positions[i] := NULL;
    ELSE
      -- A new stream chains from link(-1) = sha256("cme-ledger/stream/" || name), as
      -- genesisHash in hash-chain.ts (the name's UTF-8 bytes, whatever the server encoding).
      v_hash := coalesce(v_head_hash[i],
                         sha256(convert_to('cme-ledger/stream/' || p_streams[i], 'UTF8')));
      FOR j IN 1 .. v_n LOOP
        v_hash := sha256(v_hash || int8send(v_rev + j)
                         || substring(p_digests FROM 32 * (v_k + j) - 31 FOR 32));
        v_links[v_k + j] := v_hash;
        v_app[v_k + j] := i;
      END LOOP;
      v_ord[i] := v_o;
      v_o := v_o + v_n;
      outcomes[i] := 'appended'; revisions[i] := v_rev + v_n; positions[i] := v_base + v_o;
      v_hash_out[i] := v_hash;
      IF v_rev = -1 THEN v_new := v_new + 1; ELSE v_old := v_old + 1; END IF;
    END IF;
    v_k := v_k + v_n;
  END LOOP;
  IF v_o >= (1 << 20) THEN
    RAISE EXCEPTION 'ledger_append_group: a group holds at most 1,048,575 events'
      USING ERRCODE = 'program_limit_exceeded';
  END IF;

  IF v_new > 0 THEN
    WITH claimed AS (
      INSERT INTO streams AS s (stream_name, revision, last_hash, last_position)
      SELECT a.name, revisions[a.o], v_hash_out[a.o], positions[a.o]
        FROM unnest(p_streams) WITH ORDINALITY AS a(name, o)
       WHERE outcomes[a.o] = 'appended' AND v_head_rev[a.o] IS NULL
      ON CONFLICT (stream_name) DO NOTHING
      RETURNING s.stream_name)
    SELECT array_agg(c.stream_name) INTO v_claimed FROM claimed c;
    IF coalesce(cardinality(v_claimed), 0) < v_new THEN
      -- A concurrent append created the stream first: this append goes again.
      FOR i IN 1 .. v_m LOOP
        IF outcomes[i] = 'appended' AND v_head_rev[i] IS NULL
           AND NOT coalesce(p_streams[i] = ANY (v_claimed), false) THEN
          outcomes[i] := 'retry'; revisions[i] := NULL; positions[i] := NULL;
          FOR k IN v_first[i] + 1 .. v_first[i] + p_counts[i] LOOP
            v_app[k] := NULL;
          END LOOP;
        END IF;
      END LOOP;
    END IF;
  END IF;

  IF v_o > 0 THEN
    INSERT INTO events (position, stream_name, stream_revision, event_id, event_type,
                        schema_version, data, metadata, recorded_at, hash)
    SELECT v_base + v_ord[v_app[x.k]] + x.k - v_first[v_app[x.k]], p_streams[v_app[x.k]],
           coalesce(v_head_rev[v_app[x.k]], -1) + x.k - v_first[v_app[x.k]], x.id, x.t, x.v,
           x.d, x.m, p_recorded_at[v_app[x.k]], v_links[x.k]
      FROM ROWS FROM (unnest(p_ids),
                      jsonb_to_recordset(p_events) AS (t text, v integer, d jsonb, m jsonb))
           WITH ORDINALITY AS x(id, t, v, d, m, k)
     WHERE v_app[x.k] IS NOT NULL;
  END IF;

  IF v_old > 0 THEN
    UPDATE streams AS s
       SET revision = revisions[a.o], last_hash = v_hash_out[a.o], last_position = positions[a.o]
      FROM unnest(v_head_tid, outcomes) WITH ORDINALITY AS a(tid, outcome, o)
     WHERE s.ctid = a.tid AND a.outcome = 'appended';
  END IF;
END $$;
`,
  },
  LOG_WRITERS_AND_EPOCHS,
];

const LOCK_KEY = 'cme-ledger/event-store/migrations';

/**
 * Applies the migrations not applied yet; answers their versions. When every one is applied it
 * only reads (the service's least-privilege role may start without the right to create
 * anything); one that is not, on a connection whose role may not apply it, is an error saying
 * to apply them as the owner.
 */
export async function runMigrations(
  pool: Pool,
  migrations: readonly Migration[],
  table = 'event_store_migrations',
  lockKey = LOCK_KEY,
): Promise<number[]> {
  if ((await pendingMigrations(pool, migrations, table)).length === 0) return [];
  try {
    return await applyMigrations(pool, migrations, table, lockKey);
  } catch (error) {
    if ((error as { code?: string }).code !== '42501') throw error;
    const pending = (await pendingMigrations(pool, migrations, table)).map(
      (m) => `${m.version} (${m.name})`,
    );
    throw new Error(
      `${table}: migration ${pending.join(', ')} is not applied, and this connection's role may ` +
        'not apply it (' +
        (error as Error).message +
        '): apply the migrations as the database owner (set DATABASE_OWNER_URL, or run ' +
        '`npm run ledger -- migrate` with it)',
      { cause: error },
    );
  }
}

async function pendingMigrations(
  pool: Pool,
  migrations: readonly Migration[],
  table: string,
): Promise<Migration[]> {
  const { rows } = await pool.query<{ present: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS present',
    [table],
  );
  if (!rows[0]?.present) return [...migrations];
  const applied = await pool.query<{ version: number }>(`SELECT version FROM ${table}`);
  const versions = new Set(applied.rows.map((r) => r.version));
  return migrations.filter((m) => !versions.has(m.version));
}

async function applyMigrations(
  pool: Pool,
  migrations: readonly Migration[],
  table: string,
  lockKey: string,
): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // A migration may take long on a large table: the pool's statement timeout is not for it.
    await client.query('SET LOCAL statement_timeout = 0');
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

import type { Migration } from './migration';

/**
 * The advisory lock (two int4 keys) that every append holds, shared, from before its
 * transaction takes an id until it ends: it is how a reader tells the log's writers from every
 * other open transaction on the server. A start-up that must raise the position epoch takes it
 * exclusively, so no append runs meanwhile.
 */
export const LOG_WRITER_LOCK = { classId: 1279607879, objId: 1 } as const;

/**
 * Migration 3. Readers used to stop at the oldest transaction open anywhere on the server
 * (pg_snapshot_xmin is cluster-wide): a transaction left open in another database, or one in
 * this database that never appends, held every reader back for as long as it lasted. Now only
 * the log's writers do, and positions carry an epoch so that a logical restore into a new
 * cluster (whose transaction ids start low) cannot hand out positions below the log's head.
 *
 * Why the horizon stays sound (no reader ever skips an event that commits late):
 *  1. An append joins the writers (takes LOG_WRITER_LOCK shared) before its transaction has an
 *     id, or in a transaction that joined before it took its id; anything else is refused, by
 *     the append function and by a trigger on events. So a transaction that had an id while it
 *     was not a writer can never write an event afterwards.
 *  2. A reader's statement has one snapshot S. Every event with a transaction id below
 *     pg_snapshot_xmax(S) and not in pg_snapshot_xip(S) is final in S (committed and visible,
 *     or rolled back). An id in xip(S) is passed over only once pg_locks, read after S, shows
 *     the lock on that id held by a live backend that does not hold LOG_WRITER_LOCK in this
 *     database: by (1) it can never append. Otherwise (a writer, a prepared transaction, or
 *     an id whose lock is not visible) it holds the horizon.
 *  3. So the horizon is the lowest id of xip(S) not passed over, else xmax(S); being passed
 *     over is forever, so a reader may remember it (the adapter does, to read pg_locks rarely).
 * Positions are ((transaction id + epoch offset) << 20) | ordinal, and the horizon is computed
 * with the offset of the same snapshot.
 * ledger_append_group is restated whole from migration 2 with these changes: a migration that
 * has shipped is never edited, so each keeps the SQL it ran.
 */
export const LOG_WRITERS_AND_EPOCHS: Migration = {
  version: 3,
  name: 'only the log writers hold readers back; position epochs',
  sql: /* sql */ `
-- The position epochs: every position is ((transaction id + xid_offset) << 20) | ordinal, with
-- the offset of the latest epoch. A ledger process raises it at start-up when the cluster's
-- transaction ids are behind the stored positions (a logical restore into a new cluster), so
-- that new positions sort after the log's head; raising it is kept here, with why.
CREATE TABLE event_store_epochs (
  epoch       integer     PRIMARY KEY CHECK (epoch >= 0),
  xid_offset  bigint      NOT NULL CHECK (xid_offset >= 0),
  raised_at   timestamptz NOT NULL DEFAULT now(),
  -- When raised: the highest stored position, and the transaction id that raised it.
  log_head    bigint,
  raised_by   bigint,
  reason      text        NOT NULL
);
INSERT INTO event_store_epochs (epoch, xid_offset, reason)
  VALUES (0, 0, 'positions are the cluster''s transaction ids');

-- Nothing calls the first version's append function (migration 2 replaced it); it neither
-- joins the writers nor knows epochs, so it goes.
DROP FUNCTION ledger_append(text, text, uuid[], text[], integer[], jsonb[], jsonb[],
                            timestamptz[], bytea[], bytea);

-- Every statement that inserts events runs in a transaction that joined the log's writers
-- before it took its id (see ledger_append_group). A process of the previous version that is
-- still running when this migration commits is refused here and retries with this version's
-- function (40001 is what its adapter retries).
CREATE FUNCTION events_written_by_log_writers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('ledger.writer_xid', true) IS DISTINCT FROM pg_current_xact_id()::text THEN
    RAISE EXCEPTION 'events are written by ledger_append_group only, in a transaction that '
                    'joined the log''s writers before it took its transaction id'
      USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER events_writers_only BEFORE INSERT ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_written_by_log_writers();

-- As migration 2's function, and besides:
--   * the append joins the log's writers first: it takes LOG_WRITER_LOCK shared while its
--     transaction has no id yet (then takes the id), or finds that this transaction joined
--     before (ledger.writer_xid); a transaction that took its id otherwise is refused (55000);
--   * positions are ((transaction id + the latest epoch's offset) << 20) | ordinal;
--   * a stream head newer than every transaction of this cluster (a logical restore into a
--     new cluster, and no ledger process has raised the epoch since) is refused (55000) with
--     the fix, instead of being retried until it gives up.
-- Most of the body repeats migration 2's on purpose: a shipped migration is never edited, and
-- CREATE OR REPLACE takes the whole function, so the next version is written out in full.
CREATE OR REPLACE FUNCTION ledger_append_group(
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
  v_off       bigint;
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
  v_joined    text;
BEGIN
  -- Join the log's writers before this transaction takes its id: readers pass over every other
  -- open transaction (see events_written_by_log_writers and ledger_read_horizon).
  v_joined := pg_current_xact_id_if_assigned()::text;
  IF v_joined IS NULL THEN
    PERFORM pg_advisory_xact_lock_shared(1279607879, 1);
    PERFORM set_config('ledger.writer_xid', pg_current_xact_id()::text, true);
  ELSIF current_setting('ledger.writer_xid', true) IS DISTINCT FROM v_joined THEN
    RAISE EXCEPTION 'ledger_append_group: this transaction took its transaction id before its '
                    'first append, so readers may already have passed over it'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Append first in the transaction, or in a transaction of its own.';
  END IF;

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

  SELECT e.xid_offset INTO v_off FROM event_store_epochs e ORDER BY e.epoch DESC LIMIT 1;
  v_xid := pg_current_xact_id()::text::bigint + v_off;
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
      -- Unless no transaction of this cluster wrote that head: then no retry can succeed.
      IF (v_head_pos[i] >> 20) - v_off >= pg_snapshot_xmax(pg_current_snapshot())::text::bigint THEN
        RAISE EXCEPTION 'ledger_append_group: stream % has its head at position %, after every '
                        'position this cluster can give (its transaction ids are behind the '
                        'stored positions: a logical restore into a new cluster?)',
                        p_streams[i], v_head_pos[i]
          USING ERRCODE = 'object_not_in_prerequisite_state',
                HINT = 'Restart a ledger process: at start-up it raises the position epoch.';
      END IF;
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

-- Run by every ledger process at start-up: makes sure that every position given from now on
-- sorts after the log's head. The cluster's transaction ids are behind the stored positions
-- after a logical restore into a new cluster; then a new epoch's offset puts this cluster's
-- next transaction id just above the head. The check needs no lock (transaction ids only
-- grow, and every id still to come is at least xmax); the raise holds LOG_WRITER_LOCK
-- exclusively, so that no append runs with the old offset meanwhile.
CREATE FUNCTION ledger_ensure_position_epoch(OUT epoch integer, OUT xid_offset bigint,
                                             OUT log_head bigint, OUT raised boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_xid bigint;
BEGIN
  raised := false;
  FOR attempt IN 1 .. 2 LOOP
    SELECT e.epoch, e.xid_offset INTO epoch, xid_offset
      FROM event_store_epochs e ORDER BY e.epoch DESC LIMIT 1;
    SELECT max(ev.position) INTO log_head FROM events ev;
    IF log_head IS NULL OR
       ((pg_snapshot_xmax(pg_current_snapshot())::text::bigint + xid_offset) << 20) > log_head THEN
      RETURN;
    END IF;
    EXIT WHEN attempt = 2;
    PERFORM pg_advisory_xact_lock(1279607879, 1);
  END LOOP;
  -- Behind, and no append can run until this transaction ends: every append from now on takes
  -- an id above this one's.
  v_xid := pg_current_xact_id()::text::bigint;
  IF (log_head >> 20) + (1::bigint << 32) >= (1::bigint << 43) THEN
    RAISE EXCEPTION 'the log''s head is at position %: too close to the 43 bits of transaction '
                    'id a position holds for the position epoch to be raised', log_head
      USING ERRCODE = 'program_limit_exceeded';
  END IF;
  epoch := epoch + 1;
  xid_offset := greatest(xid_offset, (log_head >> 20) + 1 - v_xid);
  INSERT INTO event_store_epochs (epoch, xid_offset, log_head, raised_by, reason)
    VALUES (epoch, xid_offset, log_head, v_xid,
            format('transaction id %s of this cluster is behind the log''s head at position %s '
                   '(restored into another cluster?)', v_xid, log_head));
  raised := true;
END $$;

-- What a reader may read up to, for the snapshot of the statement that calls it (STABLE: it
-- shares the caller's snapshot). p_passed_over: transaction ids found before to be unable to
-- append (ledger_open_transactions' 'other'); a wrong id there could make a reader skip
-- events, so only ids that function named belong there.
-- horizon: positions below it are final; holder: the transaction id holding it (NULL when no
-- open transaction does); oldest: pg_snapshot_xmin (ids below it have all ended).
-- (A one-SELECT SQL function returning a table: the planner inlines it into the caller's query.)
CREATE FUNCTION ledger_read_horizon(p_passed_over bigint[])
RETURNS TABLE (horizon bigint, holder bigint, oldest bigint)
LANGUAGE sql STABLE AS $$
  SELECT (coalesce(h.xid, pg_snapshot_xmax(s)::text::bigint) + o.xid_offset) << 20,
         h.xid, pg_snapshot_xmin(s)::text::bigint
    FROM pg_current_snapshot() AS s,
         LATERAL (SELECT min(x::text::bigint) AS xid FROM pg_snapshot_xip(s) AS x
                   WHERE x::text::bigint <> ALL (p_passed_over)) AS h,
         LATERAL (SELECT e.xid_offset FROM event_store_epochs e
                   ORDER BY e.epoch DESC LIMIT 1) AS o
$$;

-- The transactions open at the caller's snapshot (cluster-wide), each with what it is to the
-- log: 'writer' (joined the log's writers in this database: it holds the horizon), 'other'
-- (can never append here: another database, or this one without having joined first), or
-- 'unknown' (its lock is not visible: it is ending, or prepared) — and who holds it.
-- pg_locks is read after the snapshot was taken, which is what makes 'other' sound.
CREATE FUNCTION ledger_open_transactions(OUT xid bigint, OUT kind text, OUT pid integer)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
  WITH open AS (
         SELECT x::text::bigint AS xid FROM pg_snapshot_xip(pg_current_snapshot()) AS x),
       locks AS MATERIALIZED (
         SELECT l.locktype, l.virtualtransaction, l.pid, l.mode,
                l.transactionid::text::bigint AS txid, l.database, l.classid, l.objid, l.objsubid
           FROM pg_locks l
          WHERE l.granted AND l.locktype IN ('transactionid', 'advisory')),
       owners AS (
         SELECT k.txid, k.virtualtransaction, k.pid FROM locks k
          WHERE k.locktype = 'transactionid' AND k.mode = 'ExclusiveLock'),
       writers AS (
         SELECT k.virtualtransaction FROM locks k
          WHERE k.locktype = 'advisory' AND k.classid = 1279607879 AND k.objid = 1
            AND k.objsubid = 2
            AND k.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()))
  SELECT o.xid,
         CASE WHEN w.virtualtransaction IS NOT NULL THEN 'writer'
              WHEN t.pid IS NOT NULL THEN 'other'
              ELSE 'unknown' END,
         t.pid
    FROM open o
    LEFT JOIN owners t ON t.txid = (o.xid & 4294967295)
    LEFT JOIN writers w ON w.virtualtransaction = t.virtualtransaction
   ORDER BY o.xid
$$;
`,
};

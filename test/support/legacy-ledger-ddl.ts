import type { Migration } from '@ledger/event-store';

/**
 * The operational tables as hand-written DDL made them (the ledger's migrations 1 to 4, the
 * feed's 1, the audit tree's 1, each applied by `runMigrations` into its own bookkeeping table)
 * before TypeORM's migrations took them over: the upgrade test builds a database with it, as
 * the previous version left it, and starts the new code on it. Kept as it shipped; never edited.
 */
export const LEGACY_LEDGER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'learner keys, idempotency records',
    sql: /* sql */ `
CREATE TABLE learner_keys (
  learner_id  text        PRIMARY KEY,
  key_id      uuid        NOT NULL,
  -- The learner's data key, encrypted (AES-256-GCM) with the master key.
  wrapped_key bytea       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE erased_learners (
  learner_id text        PRIMARY KEY,
  erased_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE idempotency_records (
  scope        text        NOT NULL,
  key          text        NOT NULL,
  request_hash text        NOT NULL,
  state        text        NOT NULL CHECK (state IN ('pending', 'done')),
  status       integer,
  body         jsonb,
  headers      jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
`,
  },
  {
    version: 2,
    name: 'process checkpoints',
    sql: /* sql */ `
CREATE TABLE process_checkpoints (
  name       text        PRIMARY KEY,
  position   bigint      NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 3,
    name: 'idempotency records: found by age, answers kept as JSON text',
    sql: /* sql */ `
-- Records expire (the HTTP layer's retention): the sweep finds them by age.
CREATE INDEX idempotency_records_updated_at ON idempotency_records (updated_at);
-- An answer naming a field sent with a NUL character in its name (refused, 400) could not be
-- stored as jsonb, which cannot hold that character: the request failed with a 500. JSON text can.
ALTER TABLE idempotency_records ALTER COLUMN body TYPE text USING body::text;
`,
  },
  {
    version: 4,
    name: 'stream snapshots (a cache of folded streams, never a fact)',
    sql: /* sql */ `
-- One row per stream: its state folded up to revision, by the code of state_version. The
-- personal data in it is encrypted with the learner's key, so erasure reaches it too.
CREATE TABLE stream_snapshots (
  stream_name   text        PRIMARY KEY,
  state_version text        NOT NULL,
  revision      bigint      NOT NULL,
  event_id      text        NOT NULL,
  state         text        NOT NULL,
  commands      text        NOT NULL,
  written_at    timestamptz NOT NULL DEFAULT now()
);
`,
  },
];

export const LEGACY_LEDGER_MIGRATIONS_TABLE = 'ledger_migrations';
export const LEGACY_LEDGER_MIGRATIONS_LOCK = 'cme-ledger/ledger/migrations';

export const LEGACY_FEED_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'feed subscriptions and dead letters',
    sql: /* sql */ `
CREATE TABLE feed_subscriptions (
  name                text        PRIMARY KEY,
  position            bigint      NOT NULL DEFAULT 0,
  delivered           bigint      NOT NULL DEFAULT 0,
  replay_after        bigint,
  replay_requested_at timestamptz,
  last_error          text,
  last_error_at       timestamptz,
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE feed_dead_letters (
  subscription        text        NOT NULL,
  event_id            uuid        NOT NULL,
  position            bigint      NOT NULL,
  stream_name         text        NOT NULL,
  event_type          text        NOT NULL,
  attempts            integer     NOT NULL,
  last_error          text        NOT NULL,
  -- Set when the event was never sent: an earlier event of its stream is a dead letter.
  parked_behind       uuid,
  dead_lettered_at    timestamptz NOT NULL DEFAULT now(),
  replay_requested_at timestamptz,
  PRIMARY KEY (subscription, event_id)
);
CREATE INDEX feed_dead_letters_position ON feed_dead_letters (subscription, position);
`,
  },
];

export const LEGACY_FEED_MIGRATIONS_TABLE = 'feed_migrations';
export const LEGACY_FEED_MIGRATIONS_LOCK = 'cme-ledger/feed/migrations';

export const LEGACY_AUDIT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'Merkle tree over the log, signed checkpoints',
    sql: /* sql */ `
-- Level 0: one leaf per event, in log order (leaf_index = the event's place in the log).
CREATE TABLE audit_tree_leaves (
  leaf_index  bigint PRIMARY KEY,
  event_id    text   NOT NULL UNIQUE,
  stream_name text   NOT NULL,
  revision    bigint NOT NULL,
  position    bigint NOT NULL,
  hash        bytea  NOT NULL
);
CREATE INDEX audit_tree_leaves_stream ON audit_tree_leaves (stream_name, revision);

-- Levels 1 and up: the perfect subtrees, node_index i covering leaves [i·2^level, (i+1)·2^level).
CREATE TABLE audit_tree_nodes (
  level      smallint NOT NULL,
  node_index bigint   NOT NULL,
  hash       bytea    NOT NULL,
  PRIMARY KEY (level, node_index)
);

-- A copy of every signed checkpoint (the witness folder outside the database is the reference).
CREATE TABLE audit_checkpoints (
  tree_size  bigint      PRIMARY KEY,
  position   bigint      NOT NULL,
  checkpoint jsonb       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
];

export const LEGACY_AUDIT_MIGRATIONS_TABLE = 'audit_migrations';
export const LEGACY_AUDIT_MIGRATIONS_LOCK = 'cme-ledger/audit/migrations';

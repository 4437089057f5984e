import type { Migration } from '@ledger/event-store';

/**
 * Operational tables of the ledger that are not events: learners' keys (kept outside the log so
 * that destroying one erases the person, not the history) and HTTP idempotency records.
 */
export const LEDGER_MIGRATIONS: readonly Migration[] = [
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

export const LEDGER_MIGRATIONS_TABLE = 'ledger_migrations';
export const LEDGER_MIGRATIONS_LOCK = 'cme-ledger/ledger/migrations';

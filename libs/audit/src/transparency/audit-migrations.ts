import type { Migration } from '@ledger/event-store';

/**
 * The Merkle tree over the log and the checkpoints signed over it. Derived from the log through
 * the event-store port (so either adapter gets it) and kept in the ledger's PostgreSQL database
 * beside the other operational tables. Nothing here is trusted on its own: a proof read from
 * these tables verifies only if it leads to a root the checkpoint key signed.
 */
export const AUDIT_MIGRATIONS: readonly Migration[] = [
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

export const AUDIT_MIGRATIONS_TABLE = 'audit_migrations';
export const AUDIT_MIGRATIONS_LOCK = 'cme-ledger/audit/migrations';

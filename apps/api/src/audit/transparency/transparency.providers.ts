import type { FactoryProvider } from '@nestjs/common';
import { AuditProofs, CheckpointSigner, LogTree, StreamVerifier } from '@ledger/audit';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import type { Pool } from 'pg';
import { DATABASE_POOL } from '../../tokens';
import { checkpointSigner, type LedgerConfig } from '@ledger/runtime';

/**
 * The log's Merkle tree, its proofs, the checkpoint key and the verifier of streams on load:
 * global (the command executor, /health and /metrics use the verifier).
 */
export const transparencyProviders = (config: LedgerConfig): FactoryProvider[] => [
  {
    provide: LogTree,
    inject: [DATABASE_POOL, EVENT_STORE],
    useFactory: (pool: Pool, store: EventStore) => new LogTree(pool, store),
  },
  {
    provide: StreamVerifier,
    inject: [EVENT_STORE, LogTree],
    useFactory: (store: EventStore, tree: LogTree) =>
      new StreamVerifier(store, tree, { cacheBytes: config.verifiedCacheBytes }),
  },
  {
    provide: AuditProofs,
    inject: [LogTree, EVENT_STORE],
    useFactory: (tree: LogTree, store: EventStore) => new AuditProofs(tree, store),
  },
  { provide: CheckpointSigner, useFactory: () => checkpointSigner(config) },
];

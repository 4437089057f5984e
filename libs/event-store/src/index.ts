export * from './event-store.port';
export * from './errors';
export {
  canonicalJson,
  contentDigest,
  genesisHash,
  chainLink,
  verifyChain,
  type ChainedEvent,
  type StreamHead,
} from './hash-chain';
export {
  PostgresEventStore,
  eventStoreSessionSettings,
  type PostgresEventStoreOptions,
  type LogHorizon,
  type LogWriter,
  type PositionEpoch,
} from './postgres/postgres-event-store';
export { EVENT_STORE_MIGRATIONS, runMigrations, type Migration } from './postgres/migrations';
export { PollingSubscription } from './polling-subscription';
export {
  createEventStore,
  type CreateEventStoreOptions,
  type EventStoreKind,
} from './create-event-store';
// The EventStoreDB adapter is loaded on demand by createEventStore (its client pulls in gRPC).
export type {
  EventStoreDbEventStore,
  EventStoreDbEventStoreOptions,
} from './eventstoredb/eventstoredb-event-store';

/**
 * @ledger/background: the machinery of work that runs in the background: one interruptible
 * loop, one lease, one host for checkpointed processors. It imports no other lib of the
 * ledger: the event store builds its subscriptions on it, projections and processes their hosts.
 */
export {
  InterruptibleLoop,
  exponentialBackoff,
  type FailureKind,
  type InterruptibleLoopOptions,
} from './interruptible-loop';
export { AdvisoryLease } from './advisory-lease';
export {
  CheckpointedProcessorHost,
  type CheckpointedProcessor,
  type LogSource,
  type LogSubscription,
  type ProcessorHostOptions,
  type ProcessorSession,
  type ProcessorState,
} from './checkpointed-processor-host';
export { KeyedMutex } from './keyed-mutex';

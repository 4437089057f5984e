import type { EventBatchHandler, RecordedEvent } from './event-store.port';

/**
 * A subscription's handler failed. Retrying reads cannot cure that: it ends the subscription,
 * whose `done` rejects with the handler's own error.
 */
export class HandlerFailure {
  constructor(readonly error: unknown) {}
}

/** Hands a batch to the handler and waits for it; its failure comes out as a HandlerFailure. */
export async function handOver(handler: EventBatchHandler, batch: RecordedEvent[]): Promise<void> {
  try {
    await handler(batch);
  } catch (error) {
    throw new HandlerFailure(error);
  }
}

import type { LedgerCloudEvent } from './cloud-event';

/**
 * Why a delivery failed. `unavailable`: the receiver or broker cannot take anything now (down,
 * overloaded, timed out): the feed holds its place and tries again with a growing backoff.
 * `refused`: the receiver answered and will not take this event: after the configured attempts
 * it goes to the dead-letter list and the feed moves on.
 */
export type DeliveryFailureKind = 'unavailable' | 'refused';

export class DeliveryError extends Error {
  constructor(
    readonly kind: DeliveryFailureKind,
    message: string,
  ) {
    super(message);
  }
}

/** One way out for the feed's events. */
export interface FeedTransport {
  /** `webhook` or `nats`: names the feed's checkpoint, lease and admin routes. */
  readonly name: 'webhook' | 'nats';
  /** Connects (again); called whenever the feed (re)starts, before it sends. */
  open(): Promise<void>;
  /** Resolves once the receiver holds the event; rejects with a `DeliveryError` otherwise. */
  send(event: LedgerCloudEvent): Promise<void>;
  close(): Promise<void>;
}

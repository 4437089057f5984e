import { EventStoreError } from '../errors';
import type {
  EventBatchHandler,
  RecordedEvent,
  Subscription,
  SubscriptionHealth,
} from '../event-store.port';

/** Where the adapter reports what operators should know. */
export type SubscriptionLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

type FeedEvent = 'readable' | 'end' | 'close';

/**
 * What the live phase reads: the part of a readable object stream (the client's subscription)
 * it uses. Only that part: the client declares its own overloads of the stream's event methods,
 * which a `Readable` of this project's Node typings does not accept once the standard library's
 * disposables are in the program (jest's typings bring them in).
 */
export interface LiveFeed {
  read(): unknown;
  destroy(): unknown;
  on(event: FeedEvent, listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: FeedEvent, listener: () => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  unsubscribe(): Promise<void>;
}

export interface CatchUpSubscriptionOptions<T> {
  /** Up to maxCount ledger events after a position, in log order (the store's readAll). */
  readAll: (after: bigint, maxCount: number) => Promise<RecordedEvent[]>;
  /** Opens a server subscription to $all from a position, exclusive. */
  subscribe: (after: bigint) => LiveFeed;
  /** One item of the feed as a ledger event; undefined for anything else (system events). */
  decode: (item: T) => RecordedEvent | undefined;
  handler: EventBatchHandler;
  after: bigint;
  batchSize: number;
  /** Whether an error may pass when the read or the server subscription is made again. */
  classify: (error: unknown) => 'transient' | 'permanent';
  /** The error a permanent failure ends `done` with (the port's, never the client's). */
  toPortError: (error: unknown) => Error;
  log: SubscriptionLog;
  /** Wait before the n-th consecutive retry after a failed read or a dropped subscription. */
  retryDelayMs?: (failures: number) => number;
  /** Called each time it has caught up with the log. */
  onLive?: () => void;
  /** Called once when it has ended, with the error retrying could not cure, if that ended it. */
  onEnd?: (permanent: Error | undefined) => void;
}

class HandlerFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Catch-up by pages, then live on a server subscription; the same observable behaviour as
 * PollingSubscription: each batch is handed to the handler in log order and awaited before
 * anything more is read (backpressure: while the handler runs nothing is pulled from the
 * feed, its buffer fills, and gRPC flow control holds the server back), `position` moves to
 * the last event of a batch only once the handler has completed it, a handler error stops the
 * subscription and rejects `done`, and `stop()` resolves after the batch in flight.
 *
 * `live`: catch-up reads pages of $all after the checkpoint; a page that comes back short has
 * reached the head of the log as it was at that read, so the subscription is caught up and
 * `live` becomes true. This does not depend on the server's `caughtUp` message (sent only by
 * 23.10+ servers; the client emits it as a 'caughtUp' event), so it holds on every version.
 * Then a server subscription to $all is opened from the checkpoint (exclusive), filtered on the
 * server to non-system event types; whatever it has buffered, up to batchSize, is one batch.
 *
 * Errors are classified. A failed read or a dropped subscription that may pass (server
 * restart, network, a leader election, a consumer the server found too slow) is logged and
 * retried with backoff from the checkpoint, through catch-up again: nothing is skipped or
 * repeated, since the checkpoint only ever moves past events the handler has completed; while
 * it retries, `health()` says `retrying` with the count and the last error. An error retrying
 * cannot cure (access denied, positions that do not increase, an event without a position)
 * is logged and stops the subscription: `done` rejects with it (an EventStoreError), as with
 * a handler's error, so that whoever runs the subscription sees it.
 */
export class CatchUpSubscription<T> implements Subscription {
  readonly done: Promise<void>;
  private checkpoint: bigint;
  private caughtUp = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private state: SubscriptionHealth['state'] = 'catching-up';
  private failures = 0;
  private lastError: string | undefined;

  constructor(private readonly options: CatchUpSubscriptionOptions<T>) {
    this.checkpoint = options.after;
    this.done = this.run();
    // Callers that only call stop() must not see an unhandled rejection.
    this.done.catch(() => undefined);
  }

  get position(): bigint {
    return this.checkpoint;
  }

  get live(): boolean {
    return this.caughtUp;
  }

  health(): SubscriptionHealth {
    return {
      state: this.state,
      position: this.checkpoint,
      retries: this.failures,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    let permanent: Error | undefined;
    try {
      while (!this.stopped) {
        try {
          await this.catchUp();
          if (this.stopped) break;
          this.caughtUp = true;
          this.state = 'live';
          this.options.onLive?.();
          await this.followLive();
        } catch (error) {
          if (error instanceof HandlerFailure) throw error.error;
          if (this.stopped) break;
          const message = (error as Error | null)?.message ?? String(error);
          if (this.options.classify(error) === 'permanent') {
            permanent = this.options.toPortError(error);
            this.options.log('error', 'subscription to $all stopped: retrying cannot cure this', {
              error: permanent.message,
              position: this.checkpoint.toString(),
            });
            throw permanent;
          }
          this.failures += 1;
          this.state = 'retrying';
          this.lastError = message;
          if (this.failures <= 3 || this.failures % 10 === 0) {
            this.options.log('warn', 'subscription to $all failed; retrying from its checkpoint', {
              error: message,
              retries: this.failures,
              position: this.checkpoint.toString(),
            });
          }
          await this.sleep(
            this.options.retryDelayMs?.(this.failures) ??
              Math.min(5000, 50 * 2 ** Math.min(this.failures, 7)),
          );
        }
      }
    } finally {
      this.options.onEnd?.(permanent);
    }
  }

  /** The checkpoint moved: the failures so far have passed. */
  private progressed(): void {
    if (this.failures > 0) {
      this.options.log('info', 'subscription to $all recovered', {
        retries: this.failures,
        position: this.checkpoint.toString(),
      });
    }
    this.failures = 0;
    this.lastError = undefined;
  }

  private async catchUp(): Promise<void> {
    const { batchSize } = this.options;
    while (!this.stopped) {
      const page = await this.options.readAll(this.checkpoint, batchSize);
      if (this.state === 'retrying') this.state = 'catching-up';
      if (this.stopped) return;
      await this.deliver(page);
      if (page.length < batchSize) return;
    }
  }

  private async deliver(batch: RecordedEvent[]): Promise<void> {
    const last = batch[batch.length - 1];
    if (!last) return;
    try {
      await this.options.handler(batch);
    } catch (error) {
      throw new HandlerFailure(error);
    }
    this.checkpoint = last.position;
    this.progressed();
  }

  /** Returns when stopped; throws when the feed fails or ends, or the handler fails. */
  private async followLive(): Promise<void> {
    const feed = this.options.subscribe(this.checkpoint);
    let failure: unknown;
    let ended = false;
    const notify = (): void => this.wake?.();
    const onError = (error: unknown): void => {
      failure = error;
      notify();
    };
    const onEnd = (): void => {
      ended = true;
      notify();
    };
    feed.on('readable', notify);
    feed.on('error', onError);
    feed.on('end', onEnd);
    feed.on('close', onEnd);
    try {
      for (;;) {
        const batch = await this.nextBatch(
          feed,
          () => failure,
          () => ended,
        );
        if (this.stopped) return;
        await this.deliver(batch);
      }
    } finally {
      feed.off('readable', notify);
      feed.off('end', onEnd);
      feed.off('close', onEnd);
      // Keep an error listener: a late error of a feed being torn down must not crash the process.
      feed.off('error', onError);
      feed.on('error', () => undefined);
      await feed.unsubscribe().catch(() => undefined);
      feed.destroy();
    }
  }

  /** The next non-empty batch of ledger events from the feed; empty only when stopped. */
  private async nextBatch(
    feed: LiveFeed,
    failure: () => unknown,
    ended: () => boolean,
  ): Promise<RecordedEvent[]> {
    const { batchSize, decode } = this.options;
    const batch: RecordedEvent[] = [];
    let last = this.checkpoint;
    for (;;) {
      if (this.stopped) return [];
      while (batch.length < batchSize) {
        const item = feed.read() as T | null;
        if (item === null) break;
        const e = decode(item);
        if (!e) continue;
        // The server starts after the checkpoint; an event at the checkpoint itself is passed
        // over (a server that starts inclusively), anything else out of order is an error.
        if (e.position <= last) {
          if (e.position === this.checkpoint && batch.length === 0) continue;
          throw new EventStoreError(
            `the subscription to $all delivered position ${e.position} after ${last}: ` +
              'positions that do not increase cannot be a checkpoint',
            false,
          );
        }
        batch.push(e);
        last = e.position;
      }
      if (batch.length > 0) return batch;
      const error = failure();
      if (error !== undefined) throw error;
      if (ended()) throw new Error('the server ended the subscription to $all');
      // Nothing can happen between read() returning null and this wait being armed: both run
      // in one turn of the event loop, and 'readable' fires on the next push.
      await new Promise<void>((resolve) => {
        this.wake = () => {
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}

import type { EventBatchHandler, RecordedEvent, Subscription } from '../event-store.port';

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
  /** Wait before the n-th consecutive retry after a failed read or a dropped subscription. */
  retryDelayMs?: (failures: number) => number;
  /** Called once when the subscription has ended (to unregister it from its store). */
  onEnd?: () => void;
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
 * A failed read or a dropped subscription (server restart, network) is retried with backoff
 * from the checkpoint, through catch-up again: nothing is skipped or repeated, since the
 * checkpoint only ever moves past events the handler has completed.
 */
export class CatchUpSubscription<T> implements Subscription {
  readonly done: Promise<void>;
  private checkpoint: bigint;
  private caughtUp = false;
  private stopped = false;
  private wake: (() => void) | undefined;

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

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    let failures = 0;
    try {
      while (!this.stopped) {
        try {
          await this.catchUp();
          if (this.stopped) break;
          this.caughtUp = true;
          await this.followLive(() => {
            failures = 0;
          });
        } catch (error) {
          if (error instanceof HandlerFailure) throw error.error;
          if (this.stopped) break;
          failures += 1;
          await this.sleep(
            this.options.retryDelayMs?.(failures) ??
              Math.min(5000, 50 * 2 ** Math.min(failures, 7)),
          );
        }
      }
    } finally {
      this.options.onEnd?.();
    }
  }

  private async catchUp(): Promise<void> {
    const { batchSize } = this.options;
    while (!this.stopped) {
      const page = await this.options.readAll(this.checkpoint, batchSize);
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
  }

  /** Returns when stopped; throws when the feed fails or ends, or the handler fails. */
  private async followLive(onProgress: () => void): Promise<void> {
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
        onProgress();
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
        // The subscription starts after the checkpoint; this also guards a replay.
        if (e && e.position > last) {
          batch.push(e);
          last = e.position;
        }
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

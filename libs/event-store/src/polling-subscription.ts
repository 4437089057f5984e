import type { EventEmitter } from 'node:events';
import type { EventBatchHandler, RecordedEvent, Subscription } from './event-store.port';

export interface PollingSubscriptionOptions {
  /** Reads up to maxCount events after a position, in log order. */
  read: (after: bigint, maxCount: number) => Promise<RecordedEvent[]>;
  handler: EventBatchHandler;
  after: bigint;
  batchSize: number;
  /** How long to wait when caught up before reading again. */
  pollIntervalMs: number;
  /** Emits 'appended' when this process appended (an early wake-up), 'closing' on close. */
  wakeups?: EventEmitter;
}

/**
 * Catch-up then live: reads pages after the checkpoint and hands each to the handler, waits
 * for it, moves the checkpoint to the page's last event; when a read comes back short it is
 * live and waits for a wake-up or the poll interval. A failing read is retried with backoff
 * (the database may be restarting); a failing handler stops the subscription with its error.
 */
export class PollingSubscription implements Subscription {
  readonly done: Promise<void>;
  private checkpoint: bigint;
  private caughtUp = false;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: PollingSubscriptionOptions) {
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
    const { wakeups } = this.options;
    const onWake = (): void => this.wake?.();
    const onClosing = (): void => {
      this.stopped = true;
      this.wake?.();
    };
    wakeups?.on('appended', onWake);
    wakeups?.on('closing', onClosing);
    let failures = 0;
    try {
      while (!this.stopped) {
        let page: RecordedEvent[];
        try {
          page = await this.options.read(this.checkpoint, this.options.batchSize);
          failures = 0;
        } catch {
          // The database may be restarting: read again after a backoff.
          failures += 1;
          if (this.stopped) break;
          await this.sleep(Math.min(5000, 50 * 2 ** Math.min(failures, 7)));
          continue;
        }
        const last = page[page.length - 1];
        if (last) {
          await this.options.handler(page);
          this.checkpoint = last.position;
        }
        if (page.length < this.options.batchSize) {
          this.caughtUp = true;
          await this.sleep(this.options.pollIntervalMs);
        }
      }
    } finally {
      wakeups?.off('appended', onWake);
      wakeups?.off('closing', onClosing);
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

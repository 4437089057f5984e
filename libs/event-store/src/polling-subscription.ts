import { InterruptibleLoop } from '@ledger/background';
import type { EventEmitter } from 'node:events';
import type { EventBatchHandler, RecordedEvent, Subscription } from './event-store.port';
import { HandlerFailure, handOver } from './handler-failure';

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
 * One turn of an interruptible loop reads and hands over one page.
 */
export class PollingSubscription implements Subscription {
  readonly done: Promise<void>;
  private checkpoint: bigint;
  private caughtUp = false;
  /** The next page, read while the last one is handled (during catch-up). */
  private ahead: { after: bigint; page: Promise<RecordedEvent[]> } | undefined;
  private readonly loop = new InterruptibleLoop({
    turn: () => this.poll(),
    classify: (error) => (error instanceof HandlerFailure ? 'permanent' : 'transient'),
  });

  constructor(private readonly options: PollingSubscriptionOptions) {
    this.checkpoint = options.after;
    const { wakeups } = options;
    const onWake = (): void => this.loop.wake();
    const onClosing = (): void => void this.loop.stop();
    wakeups?.on('appended', onWake);
    wakeups?.on('closing', onClosing);
    const detach = (): void => {
      wakeups?.off('appended', onWake);
      wakeups?.off('closing', onClosing);
    };
    this.done = this.loop.start().then(detach, (error: unknown) => {
      detach();
      throw error instanceof HandlerFailure ? error.error : error;
    });
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
    await this.loop.stop();
    await this.done.catch(() => undefined);
  }

  /**
   * Reads one page, hands it over; answers how long to wait before the next read. While
   * catching up (the page came back full), the next page is read while this one is handled:
   * the read and the handler overlap, and the handler still gets pages one at a time, in
   * order, each once. A read-ahead that did not start from the checkpoint is dropped.
   */
  private async poll(): Promise<number> {
    const { batchSize } = this.options;
    const ahead = this.ahead;
    this.ahead = undefined;
    const page =
      ahead && ahead.after === this.checkpoint
        ? await ahead.page
        : await this.options.read(this.checkpoint, batchSize);
    const last = page[page.length - 1];
    if (last) {
      if (page.length >= batchSize) this.readAhead(last.position);
      await handOver(this.options.handler, page);
      this.checkpoint = last.position;
    }
    if (page.length < batchSize) {
      this.caughtUp = true;
      return this.options.pollIntervalMs;
    }
    return 0;
  }

  private readAhead(after: bigint): void {
    const page = this.options.read(after, this.options.batchSize);
    // A read-ahead nobody takes (the handler failed, the subscription stopped) must not reject
    // unhandled; one that is taken rejects where it is awaited, as a read does.
    page.catch(() => undefined);
    this.ahead = { after, page };
  }
}

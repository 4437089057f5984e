/**
 * One background loop: it runs turns of work until stopped, waits between turns as each turn
 * asks, and a `wake()` ends a wait early (a wake that comes while no wait is in progress ends
 * the next one at once, so none is lost). A turn that throws is classified: an error that may
 * pass (the default) is retried after a backoff that grows with the consecutive failures; one
 * that cannot ends the loop, and `done` rejects with it. An error thrown after `stop()` ends
 * the loop quietly. The event store's subscriptions and the checkpointed-processor host are
 * loops of this kind.
 */

export type FailureKind = 'transient' | 'permanent';

export interface InterruptibleLoopOptions {
  /**
   * One turn of the work. Answers how long to wait before the next turn, in milliseconds: 0 for
   * at once, `Infinity` for until woken. A turn may wait inside itself with `sleep`.
   */
  turn: () => Promise<number>;
  /** Whether a turn's error may pass; default: every error may. */
  classify?: (error: unknown) => FailureKind;
  /** The wait before the n-th consecutive retry; default `exponentialBackoff`. */
  backoffMs?: (failures: number) => number;
  /** Awaited after each failure that may pass, before the backoff: report it, let go of what the turn held. */
  onFailure?: (error: unknown, failures: number) => void | Promise<void>;
  /** Called when the loop makes progress again after failures, with how many there were. */
  onRecovery?: (failures: number) => void;
}

/** 100 ms, 200 ms, 400 ms … up to 5 s. */
export const exponentialBackoff = (failures: number): number =>
  Math.min(5000, 50 * 2 ** Math.min(failures, 7));

export class InterruptibleLoop {
  private running: Promise<void> | undefined;
  private stopping = false;
  private woken = false;
  private endWait: (() => void) | undefined;
  private failureCount = 0;

  constructor(private readonly options: InterruptibleLoopOptions) {}

  /** Resolves once stopped; rejects with the error that ended the loop. */
  get done(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Consecutive failures since the loop last made progress. */
  get failures(): number {
    return this.failureCount;
  }

  /** Starts the loop (once); answers `done`. */
  start(): Promise<void> {
    if (!this.running) {
      this.running = this.run();
      // Callers that only call stop() must not see an unhandled rejection.
      this.running.catch(() => undefined);
    }
    return this.running;
  }

  /** Ends the loop after the turn in progress; a wait ends at once. Never rejects. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running?.catch(() => undefined);
  }

  wake(): void {
    if (this.endWait) this.endWait();
    else this.woken = true;
  }

  /**
   * Waits `ms` (`Infinity`: until woken); returns early when woken or stopped, and at once when
   * a wake came since the last wait.
   */
  sleep(ms: number = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.stopping || this.woken || ms <= 0) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => end(), ms) : undefined;
      const end = (): void => {
        clearTimeout(timer);
        if (this.endWait === end) this.endWait = undefined;
        resolve();
      };
      this.endWait = end;
    });
  }

  /** The work went forward: the failures so far have passed. */
  progressed(): void {
    const failures = this.failureCount;
    if (failures === 0) return;
    this.failureCount = 0;
    this.options.onRecovery?.(failures);
  }

  private async run(): Promise<void> {
    const { turn, classify, backoffMs = exponentialBackoff, onFailure } = this.options;
    while (!this.stopping) {
      let wait: number;
      try {
        wait = await turn();
      } catch (error) {
        if (this.stopping) return;
        if (classify?.(error) === 'permanent') throw error;
        this.failureCount += 1;
        await onFailure?.(error, this.failureCount);
        // A wake from before the failure says nothing about when to try again.
        this.woken = false;
        await this.sleep(backoffMs(this.failureCount));
        continue;
      }
      this.progressed();
      await this.sleep(wait);
    }
  }
}

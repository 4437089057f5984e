import type { DataSource, QueryRunner } from 'typeorm';
import { AdvisoryLease } from './advisory-lease';
import { InterruptibleLoop } from './interruptible-loop';
import { KeyedMutex } from './keyed-mutex';

/**
 * The log as the host follows it. `EventStore` of @ledger/event-store fits as it is; the shape
 * is restated here because the event store's own subscriptions are built on this library.
 */
export interface LogSource<E extends { readonly position: bigint }> {
  subscribeToAll(
    handler: (events: readonly E[]) => Promise<void>,
    options: { after: bigint; batchSize: number },
  ): LogSubscription;
}

export interface LogSubscription {
  /** Resolves when stopped; rejects with the handler's error (or one retrying cannot cure). */
  readonly done: Promise<void>;
  /** True once it has caught up with the log. */
  readonly live: boolean;
  stop(): Promise<void>;
}

/** What a processor works with while its host holds the lease. */
export interface ProcessorSession {
  /**
   * The lease's own connection. The processor's checkpoint (and, for a projection, its writes
   * in the same transaction) goes through it: a write cannot outlive the lease.
   */
  readonly connection: QueryRunner;
  /** Whether the log has been followed up to its head since the lease was taken. */
  readonly live: boolean;
  /** Runs work between batches, never beside one (work on the connection, as a rebuild step). */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /**
   * From now on the log is followed from `position`: batches of the subscription so far that
   * have not been handled yet are dropped, and a new subscription starts once the tick ends.
   * Call it inside `exclusive`, in the same critical section that moved the checkpoint.
   */
  followFrom(position: bigint): void;
}

/**
 * A reader of the log with a checkpoint of its own (a projection, a process), as its host
 * runs it: one instance at a time, from its checkpoint, in log order.
 */
export interface CheckpointedProcessor<E extends { readonly position: bigint }> {
  /** The lease's name (`cme-ledger/projection/<name>`, `cme-ledger/process/<name>`). */
  readonly leaseKey: string;
  /** Fields that name the processor in the host's logs. */
  readonly logFields: Record<string, unknown>;
  /** With the lease taken: makes ready what it needs and answers its checkpoint. */
  open(session: ProcessorSession): Promise<bigint>;
  /**
   * Handles a batch of the log, in order, and moves the checkpoint through the session's
   * connection. Batches never overlap each other nor `exclusive` work. An error ends the
   * session: the host lets go of the lease, waits, and starts again from the checkpoint.
   */
  handle(events: readonly E[], session: ProcessorSession): Promise<void>;
  /**
   * Work besides the log (a rebuild step, a sweep on a schedule), first at once, then again
   * after the milliseconds it answers. It runs beside batches unless it asks for `exclusive`.
   */
  tick?(session: ProcessorSession): Promise<number>;
}

export type ProcessorState = 'starting' | 'standby' | 'running' | 'stopped';

export interface ProcessorHostOptions {
  /** Events per batch. */
  batchSize: number;
  /** How often a host without the lease tries again; after failures it waits this times their count, up to 10 s. */
  retryMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Runs one checkpointed processor in one interruptible loop: takes the processor's lease (or
 * stands by, trying again every `retryMs`), opens it, follows the log from its checkpoint,
 * runs its ticks, and on any failure (the database restarting, the subscription failing, a
 * checkpoint fenced off) lets go of the lease and starts over from the checkpoint after a
 * backoff. Batches and exclusive work take turns on the lease's connection.
 */
export class CheckpointedProcessorHost<E extends { readonly position: bigint }> {
  private readonly loop: InterruptibleLoop;
  private readonly mutex = new KeyedMutex();
  private readonly retryMs: number;
  private current: ProcessorState = 'starting';
  private lease: AdvisoryLease | undefined;
  private session: ProcessorSession | undefined;
  private subscription: LogSubscription | undefined;
  private ended: { error: unknown } | undefined;
  /** A subscription `followFrom` retired, and where the next one starts. */
  private refollow: { retired: LogSubscription | undefined; from: bigint } | undefined;
  private nextTickAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly source: LogSource<E>,
    private readonly processor: CheckpointedProcessor<E>,
    private readonly options: ProcessorHostOptions,
  ) {
    this.retryMs = options.retryMs ?? 1000;
    this.loop = new InterruptibleLoop({
      turn: () => this.turn(),
      backoffMs: (failures) => Math.min(10_000, this.retryMs * failures),
      onFailure: async (error) => {
        this.options.log?.('interrupted: starting over from the checkpoint after a backoff', {
          ...this.processor.logFields,
          error: (error as Error | null)?.message ?? String(error),
        });
        await this.close();
      },
    });
  }

  get state(): ProcessorState {
    return this.current;
  }

  start(): void {
    void this.loop.start();
  }

  /** Stops after the batch in flight, and lets go of the lease. */
  async stop(): Promise<void> {
    const stopping = this.loop.stop();
    await this.subscription?.stop();
    await stopping;
    await this.close();
    this.current = 'stopped';
  }

  private async turn(): Promise<number> {
    if (!this.lease && !(await this.open())) {
      this.current = 'standby';
      return this.retryMs;
    }
    if (this.ended) throw this.ended.error ?? new Error('the subscription to the log ended');
    const { tick } = this.processor;
    if (!tick) return Number.POSITIVE_INFINITY;
    if (Date.now() >= this.nextTickAt) {
      const session = this.requireSession();
      this.nextTickAt = Date.now() + (await tick.call(this.processor, session));
      const refollow = this.refollow;
      if (refollow) {
        this.refollow = undefined;
        await refollow.retired?.stop();
        this.follow(refollow.from);
      }
    }
    return Math.max(0, this.nextTickAt - Date.now());
  }

  /** Takes the lease and opens the processor; false when another process holds it. */
  private async open(): Promise<boolean> {
    const lease = await AdvisoryLease.tryAcquire(this.dataSource, this.processor.leaseKey);
    if (!lease) return false;
    this.lease = lease;
    const session = this.sessionOn(lease.connection);
    this.session = session;
    const checkpoint = await this.processor.open(session);
    this.current = 'running';
    this.nextTickAt = 0;
    this.follow(checkpoint);
    return true;
  }

  private sessionOn(connection: QueryRunner): ProcessorSession {
    const live = (): boolean => this.subscription?.live ?? false;
    return {
      connection,
      get live() {
        return live();
      },
      exclusive: (work) => this.mutex.run('lease', work),
      followFrom: (from) => {
        this.refollow = { retired: this.refollow?.retired ?? this.subscription, from };
        this.subscription = undefined;
      },
    };
  }

  private follow(after: bigint): void {
    const subscription = this.source.subscribeToAll(
      (events) =>
        this.mutex.run('lease', async () => {
          const session = this.session;
          if (this.subscription === subscription && session)
            await this.processor.handle(events, session);
        }),
      { after, batchSize: this.options.batchSize },
    );
    this.subscription = subscription;
    const ended = (error: unknown): void => {
      if (this.subscription !== subscription) return;
      this.ended = { error };
      this.loop.wake();
    };
    subscription.done.then(
      () => ended(undefined),
      (error: unknown) => ended(error),
    );
  }

  private requireSession(): ProcessorSession {
    if (!this.session) throw new Error('the lease is not held');
    return this.session;
  }

  /** Stops following the log and lets go of the lease (after a failure, or when stopped). */
  private async close(): Promise<void> {
    const subscriptions = [this.subscription, this.refollow?.retired];
    this.subscription = undefined;
    this.refollow = undefined;
    this.ended = undefined;
    this.session = undefined;
    for (const s of subscriptions) await s?.stop();
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release();
    if (this.current !== 'stopped') this.current = 'starting';
  }
}

import type { ChainBreakKind, EventStore, RecordedEvent } from '@ledger/event-store';
import { eventLeafHash } from './checkpoint';
import type { LogTree } from './log-tree';

/** Why a stream failed verification when it was loaded. */
export interface StreamProblem {
  streamName: string;
  /** A chain break's kind, or `rewritten` (differs from the signed tree though its chain holds). */
  kind: ChainBreakKind | 'rewritten';
  revision: string;
  eventId: string | null;
  detail: string;
  detectedAt: string;
}

/** A command on a stream that failed verification: refused, nothing recorded. */
export class StreamIntegrityError extends Error {
  override readonly name = 'StreamIntegrityError';
  readonly code = 'stream-integrity-failed';

  constructor(readonly problem: StreamProblem) {
    super(
      `stream ${problem.streamName} failed verification (${problem.kind} at revision ${problem.revision}): ${problem.detail}. ` +
        'Commands on it are refused until an operator restores it (run `ledger verify-checkpoint`)',
    );
  }
}

const ALL = 1_000_000;

/**
 * Verifies a stream the first time the command side loads it, and remembers the answer: its
 * hash chain (the store's verifyStream), then each of its events against the leaf the Merkle
 * tree holds for it, which catches what the chain alone cannot (a stream rewritten with its
 * links recomputed, its last events removed with its head fixed, the whole stream removed).
 * Broken streams are kept for /health and /metrics; intact ones in a bounded cache.
 */
export class StreamVerifier {
  private readonly intact = new Set<string>();
  private readonly broken = new Map<string, StreamProblem>();
  private readonly inFlight = new Map<string, Promise<StreamProblem | undefined>>();

  constructor(
    private readonly store: Pick<EventStore, 'verifyStream' | 'readStream'>,
    private readonly tree?: Pick<LogTree, 'leavesOfStream'>,
    private readonly options: { cacheSize?: number; clock?: () => Date } = {},
  ) {}

  /** The stream's problem, verifying it if this process has not yet. */
  check(streamName: string): Promise<StreamProblem | undefined> {
    const known = this.broken.get(streamName);
    if (known) return Promise.resolve(known);
    if (this.intact.has(streamName)) return Promise.resolve(undefined);
    let running = this.inFlight.get(streamName);
    if (!running) {
      running = this.verify(streamName).finally(() => this.inFlight.delete(streamName));
      this.inFlight.set(streamName, running);
    }
    return running;
  }

  /** Throws StreamIntegrityError when the stream failed verification. */
  async assertIntact(streamName: string): Promise<void> {
    const problem = await this.check(streamName);
    if (problem) throw new StreamIntegrityError(problem);
  }

  /** What this process has found so far (without verifying anything). */
  knownProblem(streamName: string): StreamProblem | undefined {
    return this.broken.get(streamName);
  }

  failures(): StreamProblem[] {
    return [...this.broken.values()];
  }

  private async verify(streamName: string): Promise<StreamProblem | undefined> {
    const problem = (await this.chainProblem(streamName)) ?? (await this.treeProblem(streamName));
    if (problem) {
      this.broken.set(streamName, problem);
    } else {
      this.intact.add(streamName);
      const limit = this.options.cacheSize ?? 100_000;
      if (this.intact.size > limit) {
        const oldest = this.intact.values().next().value;
        if (oldest !== undefined) this.intact.delete(oldest);
      }
    }
    return problem;
  }

  private now(): string {
    return (this.options.clock ?? (() => new Date()))().toISOString();
  }

  private async chainProblem(streamName: string): Promise<StreamProblem | undefined> {
    const report = await this.store.verifyStream(streamName);
    const b = report.breaks[0];
    if (!b) return undefined;
    return {
      streamName,
      kind: b.kind,
      revision: b.revision.toString(),
      eventId: b.eventId ?? null,
      detail: b.detail,
      detectedAt: this.now(),
    };
  }

  private async treeProblem(streamName: string): Promise<StreamProblem | undefined> {
    if (!this.tree) return undefined;
    const leaves = await this.tree.leavesOfStream(streamName);
    if (leaves.length === 0) return undefined;
    const events = new Map<bigint, RecordedEvent>();
    for (let from = 0n; ;) {
      const page = await this.store.readStream(streamName, { fromRevision: from, maxCount: ALL });
      for (const e of page) events.set(e.revision, e);
      const last = page[page.length - 1];
      if (!last || page.length < ALL) break;
      from = last.revision + 1n;
    }
    for (const leaf of leaves) {
      const e = events.get(leaf.revision);
      if (!e) {
        return {
          streamName,
          kind: 'removed',
          revision: leaf.revision.toString(),
          eventId: leaf.eventId,
          detail: `event ${leaf.eventId} at revision ${leaf.revision}, in the log's Merkle tree, is no longer in the stream`,
          detectedAt: this.now(),
        };
      }
      if (e.id !== leaf.eventId || !eventLeafHash(e).equals(leaf.hash)) {
        return {
          streamName,
          kind: 'rewritten',
          revision: leaf.revision.toString(),
          eventId: e.id,
          detail: `event ${e.id} at revision ${leaf.revision} is not the event the log's Merkle tree holds there (${leaf.eventId}): the stream was rewritten`,
          detectedAt: this.now(),
        };
      }
    }
    return undefined;
  }
}

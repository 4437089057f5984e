import {
  verifyChain,
  type ChainBreakKind,
  type EventStore,
  type RecordedEvent,
} from '@ledger/event-store';
import { eventLeafHash } from './checkpoint';
import type { LogTree, TreeLeaf } from './log-tree';

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

/** Events verified at a time when a command waits for the answer (memory bounded by a page). */
const PAGE = 1_000;
/**
 * Events verified at a time in the background. Reading and hashing a page holds the event loop,
 * and a command that comes meanwhile waits for it: a quarter of a page, a quarter of the wait.
 */
const BACKGROUND_PAGE = 250;
/** After each background page, rest this many times what it took (see `paced`). */
const BACKGROUND_REST = 4;
const DEFAULT_CACHE_BYTES = 4 * 1024 * 1024;
/** What one name in a Set costs V8, by estimate: the string (two bytes a character at most) and the Set's slot. */
const nameBytes = (name: string): number => 64 + 2 * name.length;

/**
 * Verifies a stream the first time the command side loads it, and remembers the answer: its
 * hash chain (as the store's verifyStream, a page at a time), then each of its events against the leaf the Merkle
 * tree holds for it, which catches what the chain alone cannot (a stream rewritten with its
 * links recomputed, its last events removed with its head fixed, the whole stream removed).
 * Broken streams are kept for /health and /metrics (never forgotten: forgetting one would let
 * commands through); intact ones in a cache bounded by bytes, the oldest forgotten first (a
 * stream forgotten is verified again when next loaded).
 */
export class StreamVerifier {
  private readonly intact = new Set<string>();
  private intactBytes = 0;
  private readonly broken = new Map<string, StreamProblem>();
  private readonly inFlight = new Map<string, Promise<StreamProblem | undefined>>();
  /** The background passes' one lane (see `paced`). */
  private lane: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Pick<EventStore, 'readStream' | 'streamRevision'>,
    private readonly tree?: Pick<LogTree, 'leavesOfStream'>,
    private readonly options: {
      /** The intact streams' names keep at most about this many bytes (default 4 MiB). */
      cacheBytes?: number;
      clock?: () => Date;
      /** Told when a background verification could not run (the stream stays unverified). */
      onError?: (streamName: string, error: unknown) => void;
    } = {},
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

  /**
   * A load from a snapshot: the events after the snapshot's event (`anchor`) are verified now,
   * their links from the anchor's and their leaves in the tree, since they are what the command
   * is decided from with the snapshot; the whole stream is then verified in the background
   * (`verifyInBackground`, once the command is decided), and a failure found there refuses the
   * commands that come after it (see StreamLoadVerifier).
   */
  async assertTailIntact(
    streamName: string,
    anchor: RecordedEvent,
    tail: readonly RecordedEvent[],
  ): Promise<void> {
    const known = this.broken.get(streamName);
    if (known) throw new StreamIntegrityError(known);
    if (this.intact.has(streamName)) return;
    const chain = verifyChain(streamName, tail, undefined, anchor);
    // The anchor's leaf commits to its link, and so to every event before it: a history
    // rewritten before the snapshot, its links recomputed, fails here without being read. Leaves
    // past the last event read may be of events appended since: the background pass (which
    // reads the leaves first) judges those.
    const last = tail[tail.length - 1]?.revision ?? anchor.revision;
    const leaves = this.tree
      ? (await this.tree.leavesOfStream(streamName, anchor.revision)).filter(
          (leaf) => leaf.revision <= last,
        )
      : [];
    const problem =
      (chain && this.problemOf(streamName, chain)) ?? this.leafProblem(leaves, [anchor, ...tail]);
    if (problem) {
      this.broken.set(streamName, problem);
      throw new StreamIntegrityError(problem);
    }
  }

  /**
   * The whole stream, a page at a time with the event loop let go between pages, so that the
   * commands this process serves meanwhile wait for one page's hashing at most, not the
   * stream's. The same checks as `check` (links from the genesis; each event against its leaf,
   * the leaves of a page read before its events); the answer is remembered as `check`'s is.
   * Nothing when this process knows the stream's answer already, or is finding it.
   */
  verifyInBackground(streamName: string): void {
    if (this.broken.has(streamName) || this.intact.has(streamName)) return;
    if (this.inFlight.has(streamName)) return;
    const running = this.verifyInPages(streamName, (work) => this.paced(work), BACKGROUND_PAGE)
      .then((problem) => this.remember(streamName, problem))
      .finally(() => this.inFlight.delete(streamName));
    this.inFlight.set(streamName, running);
    running.catch((error: unknown) => this.options.onError?.(streamName, error));
  }

  /**
   * The stream a page at a time, in bounded memory however long it is: each page's links (from
   * the previous page's last), then its events against the leaves read for them before, then
   * the stream's head against its last event (a head past it: events removed). `run` runs each
   * page: at once when a command waits for the answer, paced in the background.
   */
  private async verifyInPages(
    streamName: string,
    run: <T>(work: () => Promise<T>) => Promise<T>,
    pageSize: number,
  ): Promise<StreamProblem | undefined> {
    let anchor: RecordedEvent | undefined;
    for (let from = 0n; ;) {
      const fromRevision = from;
      const { page, problem } = await run(async () => {
        const to = fromRevision + BigInt(pageSize);
        const leaves = this.tree
          ? await this.tree.leavesOfStream(streamName, fromRevision, to)
          : [];
        const read = await this.store.readStream(streamName, {
          fromRevision,
          maxCount: pageSize,
        });
        const chain = verifyChain(streamName, read, undefined, anchor);
        return {
          page: read,
          problem: (chain && this.problemOf(streamName, chain)) ?? this.leafProblem(leaves, read),
        };
      });
      if (problem) return problem;
      const last = page[page.length - 1] ?? anchor;
      if (page.length < pageSize) return this.headProblem(streamName, last);
      anchor = last;
      from = (last?.revision ?? -1n) + 1n;
    }
  }

  /** A head that says the stream goes on past its last event: events were removed. */
  private async headProblem(
    streamName: string,
    last: RecordedEvent | undefined,
  ): Promise<StreamProblem | undefined> {
    const head = await this.store.streamRevision(streamName);
    const end = last?.revision ?? -1n;
    if (head === undefined || head <= end) return undefined;
    return {
      streamName,
      kind: 'removed',
      revision: (end + 1n).toString(),
      eventId: null,
      detail: `the stream's head is at revision ${head} but its events end at ${end}`,
      detectedAt: this.now(),
    };
  }

  /**
   * One page of background verification at a time, process-wide, each followed by a rest of
   * BACKGROUND_REST times what it took: the background passes take at most about a fifth of
   * the process's time, however many streams were loaded at once (after a deploy, say), and the
   * commands keep the rest.
   */
  private paced<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lane.then(async () => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        const took = performance.now() - started;
        await new Promise((resolve) => setTimeout(resolve, took * BACKGROUND_REST));
      }
    });
    this.lane = run.catch(() => undefined);
    return run;
  }

  /** What this process has found so far (without verifying anything). */
  knownProblem(streamName: string): StreamProblem | undefined {
    return this.broken.get(streamName);
  }

  failures(): StreamProblem[] {
    return [...this.broken.values()];
  }

  private async verify(streamName: string): Promise<StreamProblem | undefined> {
    return this.remember(streamName, await this.verifyInPages(streamName, (work) => work(), PAGE));
  }

  private remember(
    streamName: string,
    problem: StreamProblem | undefined,
  ): StreamProblem | undefined {
    if (problem) {
      this.broken.set(streamName, problem);
    } else if (!this.intact.has(streamName)) {
      this.intact.add(streamName);
      this.intactBytes += nameBytes(streamName);
      for (const oldest of this.intact) {
        if (this.intactBytes <= this.limitBytes()) break;
        this.intact.delete(oldest);
        this.intactBytes -= nameBytes(oldest);
      }
    }
    return problem;
  }

  private limitBytes(): number {
    return this.options.cacheBytes ?? DEFAULT_CACHE_BYTES;
  }

  /** The cache of intact streams, for /metrics. */
  figures(): { entries: number; bytes: number; limitBytes: number } {
    return { entries: this.intact.size, bytes: this.intactBytes, limitBytes: this.limitBytes() };
  }

  private now(): string {
    return (this.options.clock ?? (() => new Date()))().toISOString();
  }

  private problemOf(
    streamName: string,
    b: { kind: ChainBreakKind; revision: bigint; eventId?: string; detail: string },
  ): StreamProblem {
    return {
      streamName,
      kind: b.kind,
      revision: b.revision.toString(),
      eventId: b.eventId ?? null,
      detail: b.detail,
      detectedAt: this.now(),
    };
  }

  /** The events read against the tree's leaves for them: the first missing or different. */
  private leafProblem(
    leaves: readonly TreeLeaf[],
    read: readonly RecordedEvent[],
  ): StreamProblem | undefined {
    const events = new Map<bigint, RecordedEvent>(read.map((e) => [e.revision, e]));
    for (const leaf of leaves) {
      const { streamName } = leaf;
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

import { nowMs, percentile } from './stats';

/** One unit of work for one worker; resolves to how many events it wrote or read. */
export type Operation = (worker: number) => Promise<number>;

export interface LoadResult {
  events: number;
  operations: number;
  elapsedMs: number;
  /** Per-operation latency, ms (only when asked for). */
  latenciesMs: number[];
}

export const emptyLoad = (): LoadResult => ({
  events: 0,
  operations: 0,
  elapsedMs: 0,
  latenciesMs: [],
});

export function addLoad(a: LoadResult, b: LoadResult): LoadResult {
  return {
    events: a.events + b.events,
    operations: a.operations + b.operations,
    elapsedMs: a.elapsedMs + b.elapsedMs,
    latenciesMs: a.latenciesMs.concat(b.latenciesMs),
  };
}

export const eventsPerSecond = (r: LoadResult): number =>
  r.elapsedMs > 0 ? (r.events * 1000) / r.elapsedMs : 0;

/** What a report says of one side of a case: its rate, its events, and latencies when taken. */
export const loadFigures = (
  r: LoadResult,
  latencies: boolean,
): { eventsPerSecond: number; events: number; p50Ms?: number; p99Ms?: number } => ({
  eventsPerSecond: eventsPerSecond(r),
  events: r.events,
  ...(latencies
    ? { p50Ms: percentile(r.latenciesMs, 50), p99Ms: percentile(r.latenciesMs, 99) }
    : {}),
});

/**
 * A closed loop: `workers` concurrent loops each start their next operation as soon as the
 * previous one ends, until `durationMs` has passed. The elapsed time runs until the last
 * operation in flight has finished, and its events count.
 */
export async function closedLoop(
  op: Operation,
  options: { workers: number; durationMs: number; latencies?: boolean },
): Promise<LoadResult> {
  const result = emptyLoad();
  const start = nowMs();
  const deadline = start + options.durationMs;
  const worker = async (w: number): Promise<void> => {
    while (nowMs() < deadline) {
      const t0 = nowMs();
      // Not `result.events += await op(w)`: that reads the total before the await and loses
      // the other workers' counts.
      const events = await op(w);
      result.events += events;
      if (options.latencies) result.latenciesMs.push(nowMs() - t0);
      result.operations += 1;
    }
  };
  await Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w)));
  result.elapsedMs = nowMs() - start;
  return result;
}

/**
 * Measures two implementations of the same work under the same load, interleaved in
 * `rounds` slices (A B, B A, A B, ...) so that noise from other processes on the machine
 * falls on both about equally. Each side first runs `warmupMs` untimed.
 */
export async function comparePair(
  a: Operation,
  b: Operation,
  options: {
    workers: number;
    durationMs: number;
    rounds: number;
    warmupMs: number;
    latencies?: boolean;
  },
): Promise<[LoadResult, LoadResult]> {
  const { workers, warmupMs, latencies } = options;
  await closedLoop(a, { workers, durationMs: warmupMs });
  await closedLoop(b, { workers, durationMs: warmupMs });
  let ra = emptyLoad();
  let rb = emptyLoad();
  const slice = options.durationMs / options.rounds;
  for (let round = 0; round < options.rounds; round++) {
    const first = round % 2 === 0;
    const x = await closedLoop(first ? a : b, { workers, durationMs: slice, latencies });
    const y = await closedLoop(first ? b : a, { workers, durationMs: slice, latencies });
    ra = addLoad(ra, first ? x : y);
    rb = addLoad(rb, first ? y : x);
  }
  return [ra, rb];
}

import { getHeapStatistics } from 'node:v8';
import type { LogTree, StreamVerifier } from '@ledger/audit';
import { PostgresEventStore, type EventStore } from '@ledger/event-store';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { projectionStates } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import { logHorizon } from './log-horizon';

export const METRICS = Symbol('METRICS');

export interface LedgerMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

/**
 * The service's Prometheus metrics: HTTP requests and latencies, per projection its position,
 * lag behind the log (events and seconds), events applied and failure, and the age of the
 * append holding the log's readable horizon. Figures are read from the database at scrape
 * time, so they are right whichever process runs the projection. Where the event store runs
 * subscriptions of its own (EventStoreDB), their state in this process: how many by state,
 * consecutive retries, and stops on errors retrying cannot cure. The log's verification: the
 * streams this process found broken when it loaded them, and the latest signed checkpoint.
 */
/** What one of the process's caches holds, and its bounds. */
export interface CacheFigures {
  cache: string;
  streams?: number;
  entries?: number;
  bytes: number;
  limitBytes: number;
  snapshotsWritten?: number;
  snapshotsRead?: number;
  snapshotErrors?: number;
}

export function createMetrics(
  readModels: DataSource,
  store: EventStore,
  caches: () => CacheFigures[] = () => [],
  audit?: { verifier: StreamVerifier; tree: LogTree },
): LedgerMetrics {
  const eventsPool = store instanceof PostgresEventStore ? store.pool : undefined;
  const registry = new Registry();
  const httpRequests = new Counter({
    name: 'ledger_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'ledger_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  // Every projection gauge reads one snapshot of the projections per scrape (prom-client asks
  // the metrics concurrently).
  interface Figures {
    name: string;
    position: number;
    applied: number;
    failed: number;
    rebuilding: number;
    lagEvents: number | undefined;
    lagSeconds: number | undefined;
  }
  // A scrape while the database is down still answers (the process's own figures are what an
  // operator needs then): the projection gauges are left out and `unreadable` says why.
  let cached: { at: number; figures: Promise<Figures[] | 'unreadable'> } | undefined;
  const snapshot = (): Promise<Figures[] | 'unreadable'> => {
    if (!cached || Date.now() - cached.at > 500)
      cached = {
        at: Date.now(),
        figures: readFigures().catch(() => 'unreadable' as const),
      };
    return cached.figures;
  };
  const readFigures = async (): Promise<Figures[]> => {
    const rows = (await projectionStates(readModels)).map((p) => ({
      name: p.name,
      position: p.livePosition,
      applied: p.eventsApplied,
      failed_event: p.failedEvent,
      rebuild_requested_at: p.rebuildRequestedAt,
    }));
    return Promise.all(
      rows.map(async (r) => {
        let lagEvents: number | undefined;
        let lagSeconds: number | undefined;
        if (eventsPool) {
          const { rows: lag } = await eventsPool.query<{ behind: string; oldest: Date | null }>(
            `SELECT count(*)::text AS behind, min(recorded_at) AS oldest
               FROM (SELECT recorded_at FROM events WHERE position > $1 ORDER BY position LIMIT 1000000) t`,
            [r.position],
          );
          lagEvents = Number(lag[0]?.behind ?? 0);
          const oldest = lag[0]?.oldest;
          lagSeconds = oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0;
        }
        return {
          name: r.name,
          // Gauges are doubles: a position above 2^53 shows rounded here (exact in the API).
          position: Number(r.position),
          applied: Number(r.applied),
          failed: r.failed_event ? 1 : 0,
          rebuilding: r.rebuild_requested_at ? 1 : 0,
          lagEvents,
          lagSeconds,
        };
      }),
    );
  };
  const gauge = (name: string, help: string, pick: (f: Figures) => number | undefined): void => {
    new Gauge({
      name,
      help,
      labelNames: ['projection'] as const,
      registers: [registry],
      async collect() {
        const figures = await snapshot();
        // A gauge keeps what an earlier scrape set: none of it may stand for now.
        this.reset();
        if (figures === 'unreadable') return;
        for (const f of figures) {
          const value = pick(f);
          if (value !== undefined) this.set({ projection: f.name }, value);
        }
      },
    });
  };
  // One gauge a call, each with its own name, help and figure: a list, alike in shape by nature.
  gauge('ledger_projection_position', 'Position of the last event applied', (f) => f.position);
  gauge(
    'ledger_projection_lag_events',
    'Events in the log not yet applied (capped at 1,000,000)',
    (f) => f.lagEvents,
  );
  gauge(
    'ledger_projection_lag_seconds',
    'Age of the oldest event not yet applied',
    (f) => f.lagSeconds,
  );
  gauge(
    'ledger_projection_events_applied_total',
    'Events applied to the live generation',
    (f) => f.applied,
  );
  gauge(
    'ledger_projection_failed',
    '1 while the projection has quarantined an event it cannot apply (that learner reads refuse)',
    (f) => f.failed,
  );
  gauge('ledger_projection_rebuilding', '1 while a rebuild is in progress', (f) => f.rebuilding);
  new Gauge({
    name: 'ledger_projection_states_unreadable',
    help: "1 when this scrape could not read the projections' states (database down or refusing): the projection gauges are missing from it",
    registers: [registry],
    async collect() {
      this.set((await snapshot()) === 'unreadable' ? 1 : 0);
    },
  });
  // Both horizon gauges read one report per scrape.
  let horizonCache: { at: number; report: ReturnType<typeof logHorizon> } | undefined;
  const horizonReport = (): ReturnType<typeof logHorizon> => {
    if (!horizonCache || Date.now() - horizonCache.at > 500)
      horizonCache = { at: Date.now(), report: logHorizon(store) };
    return horizonCache.report;
  };
  new Gauge({
    name: 'ledger_event_store_horizon_age_seconds',
    help: "How long the oldest append in progress has held the log's readable horizon (0: none)",
    registers: [registry],
    async collect() {
      const horizon = await horizonReport();
      if (horizon) this.set(Math.max(0, ...horizon.writers.map((w) => w.ageMs)) / 1000);
    },
  });
  new Gauge({
    name: 'ledger_event_store_passed_over_transactions',
    help: 'Open transactions on the server that readers pass over (another database, or not appending)',
    registers: [registry],
    async collect() {
      const horizon = await horizonReport();
      if (horizon) this.set(horizon.passedOver);
    },
  });
  const subscriptions = store.subscriptionHealth?.bind(store);
  if (subscriptions) {
    new Gauge({
      name: 'ledger_event_store_subscriptions',
      help: "The event store's subscriptions in this process, by state",
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const running = subscriptions().running;
        for (const state of ['catching-up', 'live', 'retrying'] as const) {
          this.set({ state }, running.filter((s) => s.state === state).length);
        }
      },
    });
    new Gauge({
      name: 'ledger_event_store_subscription_retries',
      help: 'Consecutive failed attempts of the subscriptions retrying, summed',
      registers: [registry],
      collect() {
        this.set(subscriptions().running.reduce((sum, s) => sum + s.retries, 0));
      },
    });
    new Gauge({
      name: 'ledger_event_store_subscriptions_stopped',
      help: 'Subscriptions stopped by an error retrying cannot cure, since the process started',
      registers: [registry],
      collect() {
        this.set(subscriptions().stopped);
      },
    });
    new Gauge({
      name: 'ledger_event_store_subscription_failed',
      help: '1 while the last such stop is not followed by a subscription that caught up',
      registers: [registry],
      collect() {
        this.set(subscriptions().lastError ? 1 : 0);
      },
    });
  }
  cacheGauges(registry, caches);
  if (audit) auditGauges(registry, audit);
  return { registry, httpRequests, httpDuration };
}

/**
 * Issue 21: every cache in the process is bounded by (approximate) bytes; the bound and what
 * each holds, and the process's own memory, so that growth shows before the process is killed.
 */
function cacheGauges(registry: Registry, caches: () => CacheFigures[]): void {
  const perCache = (name: string, help: string, pick: (c: CacheFigures) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['cache'] as const,
      registers: [registry],
      collect() {
        for (const c of caches()) {
          const value = pick(c);
          if (value !== undefined) this.set({ cache: c.cache }, value);
        }
      },
    });
  perCache('ledger_cache_bytes', 'Approximate bytes a cache holds', (c) => c.bytes);
  perCache('ledger_cache_limit_bytes', 'The bound of a cache, in bytes', (c) => c.limitBytes);
  perCache('ledger_cache_entries', 'Entries a cache holds', (c) => c.streams ?? c.entries);
  perCache('ledger_snapshots_written_total', 'Stream snapshots written', (c) => c.snapshotsWritten);
  perCache('ledger_snapshots_read_total', 'Stream snapshots loaded from', (c) => c.snapshotsRead);
  perCache(
    'ledger_snapshot_errors_total',
    'Snapshots that could not be read or written (those streams were folded from the log)',
    (c) => c.snapshotErrors,
  );
  new Gauge({
    name: 'ledger_process_memory_bytes',
    help:
      "This process's memory: resident set, V8 heap used, committed (heap_total) and its limit " +
      '(--max-old-space-size in the start command), external and the ArrayBuffers within it',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const m = process.memoryUsage();
      this.set({ kind: 'rss' }, m.rss);
      this.set({ kind: 'heap_used' }, m.heapUsed);
      this.set({ kind: 'heap_total' }, m.heapTotal);
      this.set({ kind: 'heap_limit' }, getHeapStatistics().heap_size_limit);
      this.set({ kind: 'external' }, m.external);
      this.set({ kind: 'array_buffers' }, m.arrayBuffers);
    },
  });
}

function auditGauges(registry: Registry, audit: { verifier: StreamVerifier; tree: LogTree }): void {
  new Gauge({
    name: 'ledger_streams_failed_verification',
    help: 'Streams this process refused because they failed verification when first loaded (chain or Merkle tree)',
    registers: [registry],
    collect() {
      this.set(audit.verifier.failures().length);
    },
  });
  const latest = async () => audit.tree.checkpoint().catch(() => undefined);
  new Gauge({
    name: 'ledger_checkpoint_tree_size',
    help: 'Events covered by the latest signed checkpoint',
    registers: [registry],
    async collect() {
      const c = await latest();
      if (c) this.set(c.treeSize);
    },
  });
  new Gauge({
    name: 'ledger_checkpoint_age_seconds',
    help: 'Seconds since the latest checkpoint was signed',
    registers: [registry],
    async collect() {
      const c = await latest();
      if (c) this.set((Date.now() - Date.parse(c.issuedAt)) / 1000);
    },
  });
}

/** Counts and times every HTTP request, by the route's pattern (not the raw path). */
export function httpMetricsMiddleware(metrics: LedgerMetrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const stop = metrics.httpDuration.startTimer();
    response.on('finish', () => {
      // A request refused before routing (bad body, content type, query) has no route: it counts
      // as unmatched, never by its raw path, which the caller chooses (one series per path
      // sent would let anyone grow the metrics, and each scrape, without bound).
      const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const labels = {
        method: request.method,
        route: String(route),
        status: String(response.statusCode),
      };
      metrics.httpRequests.inc(labels);
      stop(labels);
    });
    next();
  };
}

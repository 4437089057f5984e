import { Inject } from '@nestjs/common';
import { Query, QueryHandler } from '@nestjs/cqrs';
import {
  checkIntegrity,
  exportLog,
  learnerCreditsAsOf,
  StreamVerifier,
  type AsOf,
  type CreditsAsOfView,
  type IntegrityReport,
  type LogExport,
} from '@ledger/audit';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@ledger/event-store';
import { DECISION_SETTINGS, LEDGER_CLOCK, type Clock, type DecisionSettings } from '@ledger/ledger';
import { learnerVerification, type StreamVerificationNote } from '@ledger/audit';

/** What every audit read works on: the log itself, never the projections. */
abstract class LogQueryHandler {
  constructor(@Inject(EVENT_STORE) protected readonly store: EventStore) {}
}

/**
 * A learner's credits replayed from the events alone, as they stood at an instant or position,
 * with whether the learner's stream passed verification (chain and Merkle tree).
 */
export class CreditsAsOfQuery extends Query<
  CreditsAsOfView & { verification: StreamVerificationNote }
> {
  constructor(
    readonly learnerId: string,
    readonly asOf: AsOf,
  ) {
    super();
  }
}

@QueryHandler(CreditsAsOfQuery)
export class CreditsAsOfHandler extends LogQueryHandler {
  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(LEDGER_CLOCK) private readonly clock: Clock,
    @Inject(DECISION_SETTINGS) private readonly settings: DecisionSettings,
    @Inject(StreamVerifier) private readonly verifier: StreamVerifier,
  ) {
    super(store);
  }

  async execute({ learnerId, asOf }: CreditsAsOfQuery) {
    const [view, verification] = await Promise.all([
      learnerCreditsAsOf(this.store, learnerId, asOf, {
        timeZone: this.settings.timeZone,
        now: this.clock,
      }),
      learnerVerification(this.verifier, learnerId),
    ]);
    return { ...view, verification };
  }
}

/** Every stream's hash chain verified, and the digest of the log's range. */
export class IntegrityQuery extends Query<IntegrityReport> {
  constructor(readonly range: { after?: bigint; upTo?: bigint; expectedDigest?: string }) {
    super();
  }
}

@QueryHandler(IntegrityQuery)
export class IntegrityHandler extends LogQueryHandler {
  execute({ range }: IntegrityQuery): Promise<IntegrityReport> {
    return checkIntegrity(this.store, range);
  }
}

/** One stream's events from a revision, and the stream's head (undefined: no such stream). */
export class StreamHistoryQuery extends Query<{
  events: RecordedEvent[];
  head: bigint | undefined;
}> {
  constructor(
    readonly streamName: string,
    readonly fromRevision: bigint,
    readonly limit: number,
  ) {
    super();
  }
}

@QueryHandler(StreamHistoryQuery)
export class StreamHistoryHandler extends LogQueryHandler {
  async execute({ streamName, fromRevision, limit }: StreamHistoryQuery) {
    const [events, head] = await Promise.all([
      this.store.readStream(streamName, { fromRevision, maxCount: limit }),
      this.store.streamRevision(streamName),
    ]);
    return { events, head };
  }
}

/** A page of the whole log after a position. */
export class LogPageQuery extends Query<RecordedEvent[]> {
  constructor(
    readonly after: bigint,
    readonly limit: number,
  ) {
    super();
  }
}

@QueryHandler(LogPageQuery)
export class LogPageHandler extends LogQueryHandler {
  execute({ after, limit }: LogPageQuery): Promise<RecordedEvent[]> {
    return this.store.readAll({ after, maxCount: limit });
  }
}

/** The log's range as NDJSON chunks, with its digest once read. */
export class ExportLogQuery extends Query<LogExport> {
  constructor(readonly range: { after: bigint; upTo?: bigint }) {
    super();
  }
}

@QueryHandler(ExportLogQuery)
export class ExportLogHandler extends LogQueryHandler {
  async execute({ range }: ExportLogQuery): Promise<LogExport> {
    return exportLog(this.store, range);
  }
}

export const AUDIT_QUERY_HANDLERS = [
  CreditsAsOfHandler,
  IntegrityHandler,
  StreamHistoryHandler,
  LogPageHandler,
  ExportLogHandler,
];

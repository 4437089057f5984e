import { Inject } from '@nestjs/common';
import { Query, QueryHandler } from '@nestjs/cqrs';
import { StreamVerifier } from '@ledger/audit';
import { templateBFile } from '@ledger/boards';
import type { BoardSubmissionEvent, LearnerEvent } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import {
  BOARD_SUBMISSION_EVENT_CODEC,
  DECISION_SETTINGS,
  LEARNER_EVENT_CODEC,
  LEDGER_CLOCK,
  parsBatch,
  type Clock,
  type DecisionSettings,
  type EventCodec,
} from '@ledger/ledger';
import {
  expiringReport,
  learnerClaims,
  learnerCredits,
  learnerDeadlines,
  submissionsReport,
  type DeadlineBound,
} from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import { learnerVerification, type StreamVerificationNote } from '@ledger/audit';
import { READ_MODELS } from '../tokens';

/** What a read of the projections needs besides its question: the read models, now, the zone. */
abstract class ReadModelQueryHandler {
  constructor(
    @Inject(READ_MODELS) protected readonly readModels: DataSource,
    @Inject(LEDGER_CLOCK) protected readonly clock: Clock,
    @Inject(DECISION_SETTINGS) protected readonly settings: DecisionSettings,
  ) {}

  protected at(): { now: Date; timeZone: string } {
    return { now: this.clock(), timeZone: this.settings.timeZone };
  }
}

/** What a read-model function answers. */
type ResultOf<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

/** A read of one learner's projections, fresh up to `minPosition` when given. */
abstract class LearnerQuery<Result> extends Query<Result> {
  constructor(
    readonly learnerId: string,
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

/**
 * R12/R13: a learner's earned, claimed, unclaimed and expired credit, MOC points, equivalents,
 * and whether the learner's stream passed verification (chain and Merkle tree).
 */
export class LearnerCreditsQuery extends LearnerQuery<
  ResultOf<typeof learnerCredits> & { verification: StreamVerificationNote }
> {}

/** R8/R9/R16/R17: a learner's claims, each with its tag and every board's status. */
export class LearnerClaimsQuery extends LearnerQuery<ResultOf<typeof learnerClaims>> {}

/** R5: a learner's unclaimed credit by earned year, with its claim deadline. */
export class LearnerDeadlinesQuery extends LearnerQuery<ResultOf<typeof learnerDeadlines>> {}

@QueryHandler(LearnerCreditsQuery)
export class LearnerCreditsHandler extends ReadModelQueryHandler {
  constructor(
    @Inject(READ_MODELS) readModels: DataSource,
    @Inject(LEDGER_CLOCK) clock: Clock,
    @Inject(DECISION_SETTINGS) settings: DecisionSettings,
    @Inject(StreamVerifier) private readonly verifier: StreamVerifier,
  ) {
    super(readModels, clock, settings);
  }

  async execute({ learnerId, minPosition }: LearnerCreditsQuery) {
    const [credits, verification] = await Promise.all([
      learnerCredits(this.readModels, learnerId, { ...this.at(), minPosition }),
      learnerVerification(this.verifier, learnerId),
    ]);
    return { ...credits, verification };
  }
}

@QueryHandler(LearnerClaimsQuery)
export class LearnerClaimsHandler extends ReadModelQueryHandler {
  execute({ learnerId, minPosition }: LearnerClaimsQuery) {
    return learnerClaims(this.readModels, learnerId, { ...this.at(), minPosition });
  }
}

@QueryHandler(LearnerDeadlinesQuery)
export class LearnerDeadlinesHandler extends ReadModelQueryHandler {
  execute({ learnerId, minPosition }: LearnerDeadlinesQuery) {
    return learnerDeadlines(this.readModels, learnerId, { ...this.at(), minPosition });
  }
}

interface Page {
  limit: number;
  cursor: string | undefined;
  minPosition: bigint | undefined;
}

/** Compliance (R5): unclaimed credit whose claim deadline falls within a bound, across learners. */
export class ExpiringReportQuery extends Query<ResultOf<typeof expiringReport>> {
  constructor(
    readonly bound: DeadlineBound,
    readonly page: Page,
  ) {
    super();
  }
}

/** Compliance (R8/R9): board submissions by tag, board and time, across learners. */
export class SubmissionsReportQuery extends Query<ResultOf<typeof submissionsReport>> {
  constructor(
    readonly filter: { tag?: string; board?: string; from?: Date; to?: Date },
    readonly page: Page,
  ) {
    super();
  }
}

@QueryHandler(ExpiringReportQuery)
export class ExpiringReportHandler extends ReadModelQueryHandler {
  execute({ bound, page }: ExpiringReportQuery) {
    return expiringReport(this.readModels, { bound, ...page, ...this.at() });
  }
}

@QueryHandler(SubmissionsReportQuery)
export class SubmissionsReportHandler extends ReadModelQueryHandler {
  execute({ filter, page }: SubmissionsReportQuery) {
    return submissionsReport(this.readModels, { ...filter, ...page, ...this.at() });
  }
}

/**
 * R8, the batch path: PARS's tab-delimited learner file (Learner Template B) of the board
 * submissions completed from `from` to `to` (calendar dates), read from the log as
 * `npm run ledger -- pars-batch` reads it.
 */
export class ParsLearnerFileQuery extends Query<string> {
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super();
  }
}

@QueryHandler(ParsLearnerFileQuery)
export class ParsLearnerFileHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEARNER_EVENT_CODEC) private readonly learnerCodec: EventCodec<LearnerEvent>,
    @Inject(BOARD_SUBMISSION_EVENT_CODEC)
    private readonly submissionCodec: EventCodec<BoardSubmissionEvent>,
  ) {}

  async execute({ from, to }: ParsLearnerFileQuery): Promise<string> {
    const batch = await parsBatch(
      this.store,
      { learner: this.learnerCodec, submission: this.submissionCodec },
      { from, to },
    );
    return templateBFile(batch.records);
  }
}

export const READ_MODEL_QUERY_HANDLERS = [
  ParsLearnerFileHandler,
  LearnerCreditsHandler,
  LearnerClaimsHandler,
  LearnerDeadlinesHandler,
  ExpiringReportHandler,
  SubmissionsReportHandler,
];

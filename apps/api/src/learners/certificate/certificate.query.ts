import { Inject } from '@nestjs/common';
import { Query, QueryHandler } from '@nestjs/cqrs';
import { renderCertificate } from '@ledger/certificates';
import {
  amountView,
  boardStatusWord,
  calendarDate,
  findBoard,
  learnerDecider,
  learnerStreamName,
  type LearnerEvent,
} from '@ledger/domain';
import {
  DECISION_SETTINGS,
  LEARNER_EVENT_CODEC,
  LEDGER_CLOCK,
  StreamCommandExecutor,
  type Clock,
  type DecisionSettings,
  type EventCodec,
} from '@ledger/ledger';
import { learnerClaims } from '@ledger/read-models';
import type { LedgerConfig } from '@ledger/runtime';
import type { DataSource } from 'typeorm';
import { ApiError } from '../../http/api-error';
import { LEDGER_CONFIG, READ_MODELS } from '../../tokens';

/** R11: the PDF certificate of a learner's claim (`claimId` in lower case). */
export class ClaimCertificateQuery extends Query<Buffer> {
  constructor(
    readonly learnerId: string,
    readonly claimId: string,
  ) {
    super();
  }
}

/**
 * The claim, role, amounts, the span of its own learning and the name at claim time come from
 * the learner's own stream (the source of truth; the name is decrypted just in time and never
 * stored); the provider and activity titles from the configuration; the boards' statuses from
 * the read models.
 */
@QueryHandler(ClaimCertificateQuery)
export class ClaimCertificateHandler {
  constructor(
    private readonly executor: StreamCommandExecutor,
    @Inject(LEARNER_EVENT_CODEC) private readonly codec: EventCodec<LearnerEvent>,
    @Inject(READ_MODELS) private readonly readModels: DataSource,
    @Inject(DECISION_SETTINGS) private readonly settings: DecisionSettings,
    @Inject(LEDGER_CLOCK) private readonly clock: Clock,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute({ learnerId, claimId }: ClaimCertificateQuery): Promise<Buffer> {
    const { state } = await this.executor.state(
      learnerStreamName(learnerId),
      learnerDecider,
      this.codec,
    );
    const claim = state.claims.get(claimId);
    if (!claim)
      throw new ApiError(404, 'not-found', `learner ${learnerId} has no claim ${claimId}`);
    const zone = this.settings.timeZone;
    // R11: only the learning this claim redeemed; a claim without any (none recorded) shows its own date.
    const completed = claim.completed ?? { from: claim.occurredAt, to: claim.occurredAt };
    const statuses = await learnerClaims(this.readModels, learnerId, {
      now: this.clock(),
      timeZone: zone,
    })
      .then((view) => view.claims.find((c) => c.claimId === claimId)?.submissions ?? [])
      .catch(() => []);
    // R11: the name as it stood at claim time (what the claim recorded), withheld once erased.
    const identity = claim.identity;
    return renderCertificate({
      learnerName: identity ? `${identity.firstName} ${identity.lastName}` : undefined,
      clinicalRole: claim.clinicalRole,
      certificate: claim.certificate,
      activity: claim.activity,
      provider: this.config.certificateProvider,
      claimId,
      claimedAt: claim.occurredAt.toISOString(),
      completionDates: {
        from: calendarDate(completed.from, zone),
        to: calendarDate(completed.to, zone),
      },
      credits: amountView(claim.twelfths, claim.activity).credits,
      boards: claim.boards.map((board) => ({
        board,
        boardName: findBoard(board)?.name ?? board,
        status: boardStatusWord(statuses.find((s) => s.board === board)?.status),
      })),
      timeZone: zone,
    });
  }
}

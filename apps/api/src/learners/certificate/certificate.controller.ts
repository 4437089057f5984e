import { Controller, Get, Inject, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOperation,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
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
  StreamCommandExecutor,
  type DecisionSettings,
  type EventCodec,
} from '@ledger/ledger';
import { learnerClaims } from '@ledger/read-models';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { Allow, READERS } from '../../auth/allow.decorator';
import { ApiError } from '../../http/api-error';
import { LearnerIdParam, UuidParam } from '../../http/route-params';
import type { LedgerConfig } from '@ledger/runtime';
import { LEDGER_CONFIG, READ_MODELS } from '../../tokens';
import { LEDGER_CLOCK, type Clock } from '@ledger/ledger';

/**
 * R11: the PDF certificate of a claim. The claim, role, amounts, the span of its own learning
 * and the name at claim time come from the learner's own stream (the source of truth; the
 * name is decrypted just in time and never stored); the provider and activity titles from the
 * configuration; the boards' statuses from the read models.
 */
@ApiTags('learner reads')
@ApiBearerAuth()
@Allow(...READERS)
@Controller('v1/learners/:learnerId/claims/:claimId/certificate.pdf')
export class CertificateController {
  constructor(
    private readonly executor: StreamCommandExecutor,
    @Inject(LEARNER_EVENT_CODEC) private readonly codec: EventCodec<LearnerEvent>,
    @Inject(READ_MODELS) private readonly readModels: DataSource,
    @Inject(DECISION_SETTINGS) private readonly settings: DecisionSettings,
    @Inject(LEDGER_CLOCK) private readonly clock: Clock,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'The PDF certificate of a claim: AMA PRA Category 1 Credit™ for physicians, participation for other roles (R11)',
  })
  @ApiProduces('application/pdf')
  @ApiOkResponse({
    description: 'The certificate (PDF)',
    content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiNotFoundResponse({ description: 'No such claim for this learner' })
  async certificate(
    @LearnerIdParam() learnerId: string,
    @UuidParam('claimId') claimIdParam: string,
    @Res() res: Response,
  ): Promise<void> {
    const claimId = claimIdParam.toLowerCase();
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
    const pdf = await renderCertificate({
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
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="cme-certificate-${claimId}.pdf"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(pdf);
  }
}

import { Controller, Get, Inject, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { renderCertificate } from '@ledger/certificates';
import {
  amountView,
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
import { READ_MODELS } from '../../tokens';
import { LEDGER_CLOCK, type Clock } from '@ledger/ledger';

/**
 * R11: the PDF certificate of a claim. The claim, role and amounts come from the learner's own
 * stream (the source of truth); the name is decrypted just in time and never stored; the
 * boards' statuses come from the read models.
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
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'The PDF certificate of a claim: AMA PRA Category 1 Credit™ for physicians, participation for other roles (R11)',
  })
  @ApiProduces('application/pdf')
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
    const personal = state.profile?.personal;
    const zone = this.settings.timeZone;
    const redeemed = state.earned.filter(
      (e) => e.activity === claim.activity && e.occurredAt.getTime() <= claim.occurredAt.getTime(),
    );
    const times = redeemed.map((e) => e.occurredAt.getTime());
    const from = times.length ? new Date(Math.min(...times)) : claim.occurredAt;
    const to = times.length ? new Date(Math.max(...times)) : claim.occurredAt;
    const statuses = await learnerClaims(this.readModels, learnerId, {
      now: this.clock(),
      timeZone: zone,
    })
      .then((view) => view.claims.find((c) => c.claimId === claimId)?.submissions ?? [])
      .catch(() => []);
    const pdf = await renderCertificate({
      learnerName: personal ? `${personal.firstName} ${personal.lastName}` : undefined,
      clinicalRole: claim.clinicalRole,
      certificate: claim.certificate,
      activity: claim.activity,
      claimId,
      claimedAt: claim.occurredAt.toISOString(),
      completionDates: { from: calendarDate(from, zone), to: calendarDate(to, zone) },
      credits: amountView(claim.twelfths, claim.activity).credits,
      boards: claim.boards.map((board) => ({
        board,
        boardName: findBoard(board)?.name ?? board,
        status: statusWord(statuses.find((s) => s.board === board)?.status),
      })),
      timeZone: zone,
    });
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="cme-certificate-${claimId}.pdf"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(pdf);
  }
}

function statusWord(status: string | undefined): string {
  switch (status) {
    case 'accepted':
      return 'Submitted';
    case 'confirmed':
      return 'Submitted (confirmed by the board)';
    case 'failed':
      return 'Rejected';
    default:
      return 'Pending';
  }
}

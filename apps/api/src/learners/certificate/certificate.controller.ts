import { Controller, Get, Inject, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOperation,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, READERS } from '../../auth/allow.decorator';
import { LearnerIdParam, UuidParam } from '../../http/route-params';
import { ClaimCertificateQuery } from './certificate.query';

/** R11: the PDF certificate of a claim, made by `ClaimCertificateQuery`'s handler. */
// A learner read's decorators and wiring, alike in each (the route and the query differ).
@ApiTags('learner reads')
@ApiBearerAuth()
@Allow(...READERS)
@Controller('v1/learners/:learnerId/claims/:claimId/certificate.pdf')
export class CertificateController {
  constructor(@Inject(QueryBus) private readonly queryBus: QueryBus) {}

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
    const pdf = await this.queryBus.execute(new ClaimCertificateQuery(learnerId, claimId));
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="cme-certificate-${claimId}.pdf"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(pdf);
  }
}

import { Controller, Get, HttpCode, Inject, Logger, Param, Post, Req } from '@nestjs/common';
// The OpenAPI decorators an endpoint describes itself with, alike in every controller's imports.
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { allProjections, projectionStates, requestRebuild } from '@ledger/read-models';
import type { Request } from 'express';
import type { DataSource } from 'typeorm';
import { Allow } from '../auth/allow.decorator';
import { ApiError } from '../http/api-error';
import { READ_MODELS } from '../tokens';
import { ProjectionsResponse, RebuildRequestedResponse } from './projections.response';

const NAMES = allProjections().map((p) => p.name);

@ApiTags('operations')
@ApiBearerAuth()
@Controller('v1/admin/projections')
export class ProjectionsController {
  private readonly logger = new Logger('Admin');

  constructor(@Inject(READ_MODELS) private readonly readModels: DataSource) {}

  @Get()
  @Allow('admin', 'auditor')
  @ApiOperation({
    summary:
      'Each projection: position, events applied, events quarantined (the alert: failedEvent names the last), rebuild in progress',
  })
  @ApiOkResponse({ type: ProjectionsResponse })
  async status() {
    const states = await projectionStates(this.readModels);
    return {
      projections: states.map((p) => ({
        name: p.name,
        live_generation: p.liveGeneration,
        position: p.livePosition,
        eventsApplied: p.eventsApplied,
        failedEvent: p.failedEvent,
        failure: p.failure,
        quarantinedEvents: p.quarantinedEvents,
        rebuildRequestedAt: p.rebuildRequestedAt,
        rebuildPosition: p.rebuildPosition,
        updatedAt: p.updatedAt,
      })),
    };
  }

  @Post(':name/rebuild')
  @HttpCode(202)
  @Allow('admin')
  @ApiOperation({
    summary:
      'Rebuild a projection from position zero into a new generation, then swap it in; the old one keeps answering meanwhile',
  })
  @ApiNotFoundResponse({ description: 'No projection of that name' })
  @ApiAcceptedResponse({
    type: RebuildRequestedResponse,
    description: 'The rebuild was requested; GET /v1/admin/projections shows its progress',
  })
  async rebuild(@Param('name') name: string, @Req() req: Request) {
    if (!NAMES.includes(name)) {
      throw new ApiError(
        404,
        'not-found',
        `no projection ${name}; projections: ${NAMES.join(', ')}`,
      );
    }
    await requestRebuild(this.readModels, name);
    this.logger.log({
      msg: 'projection rebuild requested',
      projection: name,
      actor: req.ledger.caller?.actor,
      correlationId: req.ledger.correlationId,
    });
    return { projection: name, status: 'rebuild-requested' };
  }
}

import { Controller, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
// The OpenAPI decorators an endpoint describes itself with, alike in every controller's imports.
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Allow } from '../auth/allow.decorator';
import { commandMetadata } from '../http/command-context';
import { RebuildProjectionCommand } from './projections.commands';
import { ProjectionStatesQuery } from './projections.queries';
import { ProjectionsResponse, RebuildRequestedResponse } from './projections.response';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('v1/admin/projections')
export class ProjectionsController {
  // Nest's controller wiring (the buses injected), alike in every controller.
  constructor(
    @Inject(QueryBus) private readonly queryBus: QueryBus,
    @Inject(CommandBus) private readonly commandBus: CommandBus,
  ) {}

  @Get()
  @Allow('admin', 'auditor')
  @ApiOperation({
    summary:
      'Each projection: position, events applied, events quarantined (the alert: failedEvent names the last), rebuild in progress',
  })
  @ApiOkResponse({ type: ProjectionsResponse })
  status() {
    return this.queryBus.execute(new ProjectionStatesQuery());
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
    await this.commandBus.execute(
      new RebuildProjectionCommand(name, commandMetadata(req, `POST ${req.path}`)),
    );
    return { projection: name, status: 'rebuild-requested' };
  }
}

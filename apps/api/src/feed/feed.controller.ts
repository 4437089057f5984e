import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
// The OpenAPI decorators an endpoint describes itself with, alike in every controller's imports.
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Allow } from '../auth/allow.decorator';
import { commandMetadata } from '../http/command-context';
import { ReplayDeadLettersCommand, ReplayFeedCommand } from './feed.commands';
import { DeadLettersQuery, FeedStatesQuery } from './feed.queries';
import {
  DeadLetterReplayResponse,
  DeadLettersResponse,
  FeedReplayResponse,
  FeedsResponse,
} from './feed.response';
import {
  DeadLetterQueryDto,
  DeadLetterReplayRequestDto,
  FeedReplayRequestDto,
} from './feed.request.dto';

/**
 * The event feed as operators steer it: its state, a replay from a position (for a consumer
 * that lost what it had, or a new one), the webhook's dead letters and their replay. Each
 * request is picked up by whichever process runs the feed (within a second).
 */
@ApiTags('operations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No API key, or an unknown one' })
@ApiForbiddenResponse({ description: 'Only the admin role (and, for reads, the auditor)' })
@Controller('v1/admin/feed')
export class FeedController {
  // Nest's controller wiring (the buses injected), alike in every controller.
  constructor(
    @Inject(QueryBus) private readonly queryBus: QueryBus,
    @Inject(CommandBus) private readonly commandBus: CommandBus,
  ) {}

  @Get()
  @Allow('admin', 'auditor')
  @ApiOperation({
    summary:
      'Each feed configured: its checkpoint, events delivered, dead letters, the last delivery error, a replay asked for',
  })
  @ApiOkResponse({ type: FeedsResponse })
  status(): Promise<FeedsResponse> {
    return this.queryBus.execute(new FeedStatesQuery());
  }

  // Each endpoint's OpenAPI description (operation, answers, errors), the shape every Nest
  // endpoint has: alike with the dead-letter replay's by design, each saying its own.
  @Post(':transport/replay')
  @HttpCode(202)
  @Allow('admin')
  @ApiOperation({
    summary:
      'Send every event after a log position again (CloudEvents ids unchanged: consumers dedupe); the feed moves its checkpoint there',
  })
  @ApiAcceptedResponse({
    type: FeedReplayResponse,
    description: 'Asked for: the feed replays from its next tick',
  })
  @ApiNotFoundResponse({ description: 'No such feed configured' })
  @ApiBadRequestResponse({ description: 'A position that is not digits' })
  async replay(
    @Param('transport') transport: string,
    @Body() body: FeedReplayRequestDto,
    @Req() req: Request,
  ) {
    const name = await this.commandBus.execute(
      new ReplayFeedCommand(transport, body.after, commandMetadata(req, `POST ${req.path}`)),
    );
    return { feed: name, after: body.after, status: 'replay-requested' };
  }

  @Get('webhook/dead-letters')
  @Allow('admin', 'auditor')
  @ApiOperation({
    summary:
      'Events the webhook receiver refused (and later events of their streams, parked behind them), in log order',
  })
  @ApiOkResponse({ type: DeadLettersResponse })
  @ApiBadRequestResponse({ description: 'A position that is not digits, a limit outside 1–500' })
  @ApiNotFoundResponse({ description: 'No webhook feed configured' })
  deadLetters(@Query() query: DeadLetterQueryDto) {
    return this.queryBus.execute(
      new DeadLettersQuery(BigInt(query.after ?? '0'), query.limit ?? 100),
    );
  }

  @Post('webhook/dead-letters/replay')
  @HttpCode(202)
  @Allow('admin')
  @ApiOperation({
    summary:
      'Send dead letters again (those named, or all), in log order; each delivered leaves the list, a stream goes on once its own are delivered',
  })
  @ApiAcceptedResponse({
    type: DeadLetterReplayResponse,
    description: 'Asked for: `requested` dead letters go out at the next tick',
  })
  @ApiNotFoundResponse({ description: 'No webhook feed configured' })
  @ApiBadRequestResponse({ description: 'eventIds that are not event ids (UUIDs), or empty' })
  async replayDeadLetters(@Body() body: DeadLetterReplayRequestDto, @Req() req: Request) {
    const requested = await this.commandBus.execute(
      new ReplayDeadLettersCommand(body.eventIds, commandMetadata(req, `POST ${req.path}`)),
    );
    return { feed: 'webhook', requested, status: 'replay-requested' };
  }
}

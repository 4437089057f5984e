import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Logger,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
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
import {
  feedStatus,
  listDeadLetters,
  requestDeadLetterReplay,
  requestFeedReplay,
  type FeedConfig,
} from '@ledger/feed';
import type { Request } from 'express';
import type { DataSource } from 'typeorm';
import { Allow } from '../auth/allow.decorator';
import { ApiError } from '../http/api-error';
import { READ_MODELS } from '../tokens';
import {
  DeadLetterReplayResponse,
  DeadLettersResponse,
  FeedReplayResponse,
  FeedsResponse,
} from './feed.response';
import { FEED_CONFIG } from './feed.tokens';
import {
  DeadLetterQueryDto,
  DeadLetterReplayRequestDto,
  FeedReplayRequestDto,
} from './feed.request.dto';

type Transport = 'webhook' | 'nats';

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
  private readonly logger = new Logger('Feed');

  constructor(
    @Inject(FEED_CONFIG) private readonly config: FeedConfig,
    @Inject(READ_MODELS) private readonly db: DataSource,
  ) {}

  @Get()
  @Allow('admin', 'auditor')
  @ApiOperation({
    summary:
      'Each feed configured: its checkpoint, events delivered, dead letters, the last delivery error, a replay asked for',
  })
  @ApiOkResponse({ type: FeedsResponse })
  async status(): Promise<FeedsResponse> {
    const feeds = [];
    for (const name of this.configured()) {
      const status = await feedStatus(this.db, name);
      feeds.push(
        status ?? {
          name,
          position: '0',
          delivered: '0',
          deadLetters: 0,
          replayAfter: null,
          lastError: null,
          lastErrorAt: null,
          updatedAt: null,
        },
      );
    }
    return { feeds };
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
    const name = this.feed(transport);
    await requestFeedReplay(this.db, name, BigInt(body.after));
    this.audit(req, 'feed replay requested', { feed: name, after: body.after });
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
  async deadLetters(@Query() query: DeadLetterQueryDto) {
    const name = this.feed('webhook');
    const deadLetters = await listDeadLetters(this.db, name, {
      after: BigInt(query.after ?? '0'),
      limit: query.limit ?? 100,
    });
    return { deadLetters };
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
    const name = this.feed('webhook');
    const requested = await requestDeadLetterReplay(this.db, name, body.eventIds);
    this.audit(req, 'feed dead letters replay requested', { feed: name, requested });
    return { feed: name, requested, status: 'replay-requested' };
  }

  private configured(): Transport[] {
    return [
      ...(this.config.webhook ? (['webhook'] as const) : []),
      ...(this.config.nats ? (['nats'] as const) : []),
    ];
  }

  private feed(transport: string): Transport {
    const found = this.configured().find((t) => t === transport);
    if (!found)
      throw new ApiError(
        404,
        'not-found',
        `no ${transport} feed is configured here; configured: ${this.configured().join(', ') || 'none'} ` +
          '(LEDGER_FEED_WEBHOOK_URL, LEDGER_FEED_NATS_SERVERS)',
      );
    return found;
  }

  private audit(req: Request, msg: string, fields: Record<string, unknown>): void {
    this.logger.log({
      msg,
      ...fields,
      actor: req.ledger.caller?.actor,
      correlationId: req.ledger.correlationId,
    });
  }
}

import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { toAuditRecord } from '@ledger/audit';
import { QueryBus } from '@nestjs/cqrs';
import { ApiError } from '../../http/api-error';
import { AuditEndpoint } from '../audit-endpoint.decorator';
import { LogPageQuery, StreamHistoryQuery } from '../audit.queries';
import { AuditEventResponse } from '../audit-event.response';
import { int64, LogPageQueryDto, StreamPageQueryDto } from '../audit.query.dto';
import { StreamNameParam } from '../stream-name.param';

class StreamHistoryResponse {
  @ApiProperty() streamName!: string;
  @ApiProperty({ description: "The stream's last revision", example: '12' }) revision!: string;
  @ApiProperty({ type: [AuditEventResponse] }) events!: AuditEventResponse[];
  @ApiProperty({
    description: 'Pass as fromRevision for the next page; null at the end of the stream',
    nullable: true,
    type: String,
  })
  nextFromRevision!: string | null;
}

class LogPageResponse {
  @ApiProperty({ example: '0' }) after!: string;
  @ApiProperty({ example: 100 }) limit!: number;
  @ApiProperty({ type: [AuditEventResponse] }) events!: AuditEventResponse[];
  @ApiProperty({
    description:
      'Pass as `after` for the next page (the last position returned; `after` when none)',
  })
  nextAfter!: string;
}

/** The raw history: one stream, or the whole log in position order, with metadata and hashes. */
@ApiTags('audit')
@Controller('v1/audit')
export class AuditHistoryController {
  constructor(@Inject(QueryBus) private readonly queryBus: QueryBus) {}

  @Get('streams/:streamName')
  @AuditEndpoint("One stream's events in revision order, each with its metadata and hash")
  @ApiOkResponse({ type: StreamHistoryResponse })
  @ApiNotFoundResponse({ description: 'No such stream' })
  async stream(
    @StreamNameParam() streamName: string,
    @Query() query: StreamPageQueryDto,
  ): Promise<StreamHistoryResponse> {
    const fromRevision = int64('fromRevision', query.fromRevision) ?? 0n;
    const limit = query.limit ?? 100;
    const { events, head } = await this.queryBus.execute(
      new StreamHistoryQuery(streamName, fromRevision, limit),
    );
    if (head === undefined && events.length === 0) {
      throw new ApiError(404, 'not-found', `no stream ${streamName}`);
    }
    const last = events[events.length - 1];
    const revision = head ?? last?.revision ?? 0n;
    return {
      streamName,
      revision: revision.toString(),
      events: events.map(toAuditRecord),
      nextFromRevision:
        last !== undefined && last.revision < revision ? (last.revision + 1n).toString() : null,
    };
  }

  @Get('events')
  @AuditEndpoint(
    'The whole log in position order, a page at a time, each event with its metadata and hash',
  )
  @ApiOkResponse({ type: LogPageResponse })
  async events(@Query() query: LogPageQueryDto): Promise<LogPageResponse> {
    const after = int64('after', query.after) ?? 0n;
    const limit = query.limit ?? 100;
    const events = await this.queryBus.execute(new LogPageQuery(after, limit));
    return {
      after: after.toString(),
      limit,
      events: events.map(toAuditRecord),
      nextAfter: (events[events.length - 1]?.position ?? after).toString(),
    };
  }
}

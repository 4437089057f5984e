import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { QueryBus } from '@nestjs/cqrs';
import type { IntegrityReport } from '@ledger/audit';
import { AuditEndpoint } from '../audit-endpoint.decorator';
import { int64, IntegrityQueryDto } from '../audit.query.dto';
import { IntegrityQuery } from '../audit.queries';

/** Proof that no recorded event was altered, removed or reordered. */
@ApiTags('audit')
@Controller('v1/audit/integrity')
export class IntegrityController {
  constructor(@Inject(QueryBus) private readonly queryBus: QueryBus) {}

  @Get()
  @AuditEndpoint(
    "Verifies every stream's hash chain and answers the digest of the log up to a position, to store and compare later",
  )
  @ApiOkResponse({
    description:
      '`ok` false names each broken chain (stream, revision, event, how); with expectedDigest, whether the history is still the one digested',
  })
  integrity(@Query() query: IntegrityQueryDto): Promise<IntegrityReport> {
    return this.queryBus.execute(
      new IntegrityQuery({
        after: int64('after', query.after),
        upTo: int64('upTo', query.upTo),
        expectedDigest: query.expectedDigest,
      }),
    );
  }
}

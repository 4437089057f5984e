import { Controller, Get, Inject, Logger, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { QueryBus } from '@nestjs/cqrs';
import { NDJSON_CONTENT_TYPE } from '@ledger/audit';
import { drained } from '@ledger/runtime';
import type { Request, Response } from 'express';
import { AuditEndpoint } from '../audit-endpoint.decorator';
import { int64, LogRangeQueryDto } from '../audit.query.dto';
import { ExportLogQuery } from '../audit.queries';

/** The log as NDJSON for an auditor to keep: streamed page by page, with backpressure. */
@ApiTags('audit')
@Controller('v1/audit/export')
export class ExportController {
  private readonly logger = new Logger('AuditExport');

  constructor(@Inject(QueryBus) private readonly queryBus: QueryBus) {}

  @Get()
  @AuditEndpoint(
    'The log from a position as NDJSON: one event a line, with its metadata and hash-chain link; ' +
      'the trailers X-Ledger-Digest and X-Ledger-Events give the digest of the events sent',
  )
  @ApiProduces(NDJSON_CONTENT_TYPE)
  @ApiOkResponse({
    description: 'One AuditEvent record per line, in position order',
    content: { [NDJSON_CONTENT_TYPE]: { schema: { type: 'string' } } },
  })
  async export(
    @Query() query: LogRangeQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const after = int64('after', query.after) ?? 0n;
    const upTo = int64('upTo', query.upTo);
    const out = await this.queryBus.execute(new ExportLogQuery({ after, upTo }));
    res.status(200);
    res.setHeader('Content-Type', `${NDJSON_CONTENT_TYPE}; charset=utf-8`);
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="ledger-export-after-${after.toString()}.ndjson"`,
    );
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Trailer', 'X-Ledger-Digest, X-Ledger-Events, X-Ledger-Up-To');
    try {
      for await (const chunk of out.chunks) {
        if (res.destroyed) break;
        if (!res.write(chunk)) await drained(res);
      }
      if (res.destroyed) return; // the client went away: `break` closed the export
      const digest = out.digest();
      res.addTrailers({
        'X-Ledger-Digest': digest.digest,
        'X-Ledger-Events': String(digest.events),
        'X-Ledger-Up-To': digest.upToPosition,
      });
      res.end();
    } catch (error) {
      // The status line is gone: cut the transfer short so that the client sees it incomplete.
      this.logger.error({
        msg: 'export failed',
        correlationId: req.ledger.correlationId,
        err: error instanceof Error ? error.message : String(error),
      });
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

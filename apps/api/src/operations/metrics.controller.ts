import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow } from '../auth/allow.decorator';
import { METRICS, type LedgerMetrics } from './metrics';

/** Prometheus text: on the API's port for an admin or auditor key; on the operations port without one. */
@ApiTags('operations')
@ApiBearerAuth()
@Allow('admin', 'auditor')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: LedgerMetrics) {}

  @Get()
  @ApiOperation({ summary: 'The Prometheus figures of this process (admin, auditor)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text exposition format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  async metricsText(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}

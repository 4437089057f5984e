import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * GET /health. Without an admin key (and not on the operations port) only `status`; the details
 * are for operators and may grow, so their objects are open.
 */
export class HealthResponse {
  @ApiProperty({ enum: ['ok', 'degraded', 'unavailable'] }) status!: string;
  @ApiPropertyOptional({ type: [String], description: 'Why reads may go stale' })
  degraded?: string[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'ok, version or detail, kind (embedded or external)',
  })
  database?: Record<string, unknown>;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'ok, adapter, version, detail, the log horizon and the subscriptions',
  })
  eventStore?: Record<string, unknown>;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Each projection: name, position, failedEvent, failure',
  })
  projections?: Record<string, unknown>[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'failedStreams (streams that failed verification when the command side loaded them) and latestCheckpoint (tree size, position, root, time, key id; null before the first)',
  })
  integrity?: Record<string, unknown>;
}

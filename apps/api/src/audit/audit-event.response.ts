import { ApiProperty } from '@nestjs/swagger';
import type { AuditEventRecord } from '@ledger/audit';
import type { EventMetadata, JsonObject } from '@ledger/event-store';

/** One stored event with its metadata and hash-chain link (documentation of AuditEventRecord). */
export class AuditEventResponse implements AuditEventRecord {
  @ApiProperty({ description: 'Global position (64-bit, as a string)', example: '1042' })
  position!: string;
  @ApiProperty({ example: 'learner-6f1c2b9e' }) streamName!: string;
  @ApiProperty({ description: 'Revision in its stream, from 0', example: '3' }) revision!: string;
  @ApiProperty({ description: 'Event id (UUID)' }) id!: string;
  @ApiProperty({ example: 'CreditClaimed' }) type!: string;
  @ApiProperty({ example: 1 }) schemaVersion!: number;
  @ApiProperty({ description: 'When the store recorded it', example: '2026-11-02T10:00:00.123Z' })
  recordedAt!: string;
  @ApiProperty({
    description: 'Who issued the command (actor), correlation and causation ids',
    example: { actor: 'service:3f9a0c1b2d4e', correlationId: 'trace-abc', causationId: '…' },
  })
  metadata!: EventMetadata;
  @ApiProperty({ description: 'As stored; personal data only ever encrypted (personalEncrypted)' })
  data!: JsonObject;
  @ApiProperty({ description: "The stream's hash-chain link at this event (hex sha-256)" })
  hash!: string;
}

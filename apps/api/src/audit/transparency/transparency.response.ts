import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import {
  CHECKPOINT_VERSION,
  CONSISTENCY_PROOF_VERSION,
  INCLUSION_PROOF_VERSION,
  type ConsistencyProof,
  type InclusionProof,
  type SignedCheckpoint,
} from '@ledger/audit';
import { AuditEventResponse } from '../audit-event.response';

const HASHES: ApiPropertyOptions = {
  type: [String],
  description: 'Sibling hashes (hex sha-256), from the leaf up',
  example: ['9f2c1e0b7d4a5c3e8f6b1a2d0c9e7f5a3b1d8c6e4f2a0b9c7d5e3f1a8b6c4d2e'],
};

/** A signed checkpoint (SignedCheckpoint): what an auditor checks with the public key alone. */
export class SignedCheckpointResponse implements SignedCheckpoint {
  @ApiProperty({ enum: [CHECKPOINT_VERSION], example: CHECKPOINT_VERSION })
  version!: typeof CHECKPOINT_VERSION;
  @ApiProperty({ description: 'Events in the log the checkpoint covers', example: 240 })
  treeSize!: number;
  @ApiProperty({
    description: 'Hex sha-256 Merkle root of the first treeSize events',
    example: '4b1f7c0e2d9a6b3c8e5f1a0d7c4b2e9f6a3d0c8b5e2f9a6c3d0b7e4f1a8c5d2e',
  })
  rootHash!: string;
  @ApiProperty({
    description: 'Global position of the last event covered ("0" for the empty log)',
    example: '1042',
  })
  position!: string;
  @ApiProperty({ description: 'When it was signed', example: '2026-11-28T12:00:00.000Z' })
  issuedAt!: string;
  @ApiProperty({
    description:
      'Which key signed: the first 16 hex digits of sha-256 over the public key (SPKI DER)',
    example: '3f9a0c1b2d4e5f60',
  })
  keyId!: string;
  @ApiProperty({ description: 'Ed25519 signature of the checkpoint text, base64' })
  signature!: string;
}

/** GET /v1/audit/events/:eventId/proof: everything needed to check one event offline. */
export class InclusionProofResponse implements InclusionProof {
  @ApiProperty({ enum: [INCLUSION_PROOF_VERSION], example: INCLUSION_PROOF_VERSION })
  version!: typeof INCLUSION_PROOF_VERSION;
  @ApiProperty({
    type: AuditEventResponse,
    description: 'The event as stored: its leaf is recomputed from it, not taken on trust',
  })
  event!: AuditEventResponse;
  @ApiProperty({ description: "The event's leaf in the log, from 0", example: 17 })
  leafIndex!: number;
  @ApiProperty({ description: "The checkpoint's tree size", example: 240 })
  treeSize!: number;
  @ApiProperty(HASHES) path!: string[];
  @ApiProperty({ type: SignedCheckpointResponse, description: 'The checkpoint the path leads to' })
  checkpoint!: SignedCheckpointResponse;
}

/** GET /v1/audit/checkpoints/consistency: the first checkpoint's log is a prefix of the second's. */
export class ConsistencyProofResponse implements ConsistencyProof {
  @ApiProperty({ enum: [CONSISTENCY_PROOF_VERSION], example: CONSISTENCY_PROOF_VERSION })
  version!: typeof CONSISTENCY_PROOF_VERSION;
  @ApiProperty({ type: SignedCheckpointResponse, description: 'The earlier checkpoint (from)' })
  first!: SignedCheckpointResponse;
  @ApiProperty({ type: SignedCheckpointResponse, description: 'The later checkpoint (to)' })
  second!: SignedCheckpointResponse;
  @ApiProperty({ ...HASHES, description: 'The consistency path (hex sha-256 hashes)' })
  path!: string[];
}

import { Inject } from '@nestjs/common';
import { Query, QueryHandler } from '@nestjs/cqrs';
import {
  AuditProofs,
  CheckpointSigner,
  type ConsistencyProof,
  type InclusionProof,
  type SignedCheckpoint,
} from '@ledger/audit';

/** The public key (Ed25519, SPKI PEM) that verifies every checkpoint. */
export class CheckpointKeyQuery extends Query<string> {}

@QueryHandler(CheckpointKeyQuery)
export class CheckpointKeyHandler {
  constructor(@Inject(CheckpointSigner) private readonly signer: CheckpointSigner) {}

  execute(): Promise<string> {
    return Promise.resolve(this.signer.publicKeyPem());
  }
}

/** The latest signed checkpoint (ProofUnavailableError when none was signed yet). */
export class LatestCheckpointQuery extends Query<SignedCheckpoint> {}

/** That the log of checkpoint `from` is a prefix of checkpoint `to` (default: the latest). */
export class ConsistencyProofQuery extends Query<ConsistencyProof> {
  constructor(
    readonly from: number,
    readonly to: number | undefined,
  ) {
    super();
  }
}

/** An event's inclusion proof against checkpoint `treeSize` (default: the latest). */
export class InclusionProofQuery extends Query<InclusionProof> {
  constructor(
    readonly eventId: string,
    readonly treeSize: number | undefined,
  ) {
    super();
  }
}

/** What every proof read works on: the log's Merkle tree and its signed checkpoints. */
abstract class ProofQueryHandler {
  constructor(@Inject(AuditProofs) protected readonly proofs: AuditProofs) {}
}

@QueryHandler(LatestCheckpointQuery)
export class LatestCheckpointHandler extends ProofQueryHandler {
  execute(): Promise<SignedCheckpoint> {
    return this.proofs.latestCheckpoint();
  }
}

@QueryHandler(ConsistencyProofQuery)
export class ConsistencyProofHandler extends ProofQueryHandler {
  execute({ from, to }: ConsistencyProofQuery): Promise<ConsistencyProof> {
    return this.proofs.consistency(from, to);
  }
}

@QueryHandler(InclusionProofQuery)
export class InclusionProofHandler extends ProofQueryHandler {
  execute({ eventId, treeSize }: InclusionProofQuery): Promise<InclusionProof> {
    return this.proofs.inclusion(eventId, treeSize);
  }
}

export const TRANSPARENCY_QUERY_HANDLERS = [
  CheckpointKeyHandler,
  LatestCheckpointHandler,
  ConsistencyProofHandler,
  InclusionProofHandler,
];

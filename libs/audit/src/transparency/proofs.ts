import type { EventStore } from '@ledger/event-store';
import { fromAuditRecord, toAuditRecord, type AuditEventRecord } from '../audit-record';
import { checkpointProblem, eventLeafHash, type SignedCheckpoint } from './checkpoint';
import { verifyConsistency, verifyInclusion } from './merkle';
import type { LogTree } from './log-tree';

export const INCLUSION_PROOF_VERSION = 'cme-ledger/inclusion-proof/v1';
export const CONSISTENCY_PROOF_VERSION = 'cme-ledger/consistency-proof/v1';

/** Everything needed to check one event offline, with the public key. */
export interface InclusionProof {
  version: typeof INCLUSION_PROOF_VERSION;
  /** The event as stored: its leaf is recomputed from it, not taken on trust. */
  event: AuditEventRecord;
  leafIndex: number;
  treeSize: number;
  /** Sibling hashes from the leaf up (hex). */
  path: string[];
  checkpoint: SignedCheckpoint;
}

/** That the first checkpoint's log is a prefix of the second's. */
export interface ConsistencyProof {
  version: typeof CONSISTENCY_PROOF_VERSION;
  first: SignedCheckpoint;
  second: SignedCheckpoint;
  path: string[];
}

/** A proof asked of a checkpoint the ledger has not signed, or of an event outside it. */
export class ProofUnavailableError extends Error {
  override readonly name = 'ProofUnavailableError';
}

/** Proofs from the stored tree, against the ledger's signed checkpoints. */
export class AuditProofs {
  constructor(
    private readonly tree: LogTree,
    private readonly store: Pick<EventStore, 'readStream'>,
  ) {}

  private async signed(treeSize?: number): Promise<SignedCheckpoint> {
    const checkpoint = await this.tree.checkpoint(treeSize);
    if (!checkpoint) {
      throw new ProofUnavailableError(
        treeSize === undefined
          ? 'no checkpoint has been signed yet: try again after the next one'
          : `no checkpoint was signed at tree size ${treeSize}`,
      );
    }
    return checkpoint;
  }

  latestCheckpoint(): Promise<SignedCheckpoint> {
    return this.signed();
  }

  /** The event's inclusion in the latest checkpoint (or the one of `treeSize`). */
  async inclusion(eventId: string, treeSize?: number): Promise<InclusionProof> {
    // Two round trips, not four: the leaf and the checkpoint, then the event and the path.
    const [leaf, checkpoint] = await settledBoth(
      this.tree.leafOfEvent(eventId),
      this.signed(treeSize),
    );
    if (leaf.leafIndex >= checkpoint.treeSize) {
      throw new ProofUnavailableError(
        `event ${eventId} is leaf ${leaf.leafIndex}, after the checkpoint of ${checkpoint.treeSize} events: ask again after the next checkpoint`,
      );
    }
    const reading = this.store.readStream(leaf.streamName, {
      fromRevision: leaf.revision,
      maxCount: 1,
    });
    const pathing = this.tree.inclusionPath(leaf.leafIndex, checkpoint.treeSize);
    // The path's failure, if any, is observed below, after the event's check.
    pathing.catch(() => undefined);
    const [event] = await reading;
    if (!event || event.id !== eventId) {
      throw new ProofUnavailableError(
        `event ${eventId} is no longer at revision ${leaf.revision} of ${leaf.streamName}: the log was altered (run verify)`,
      );
    }
    const path = await pathing;
    return {
      version: INCLUSION_PROOF_VERSION,
      event: toAuditRecord(event),
      leafIndex: leaf.leafIndex,
      treeSize: checkpoint.treeSize,
      path: path.map((p) => p.toString('hex')),
      checkpoint,
    };
  }

  async consistency(firstSize: number, secondSize?: number): Promise<ConsistencyProof> {
    const second = await this.signed(secondSize);
    const first = await this.signed(firstSize);
    if (first.treeSize > second.treeSize) {
      throw new ProofUnavailableError(
        `from (${first.treeSize}) must not be greater than to (${second.treeSize})`,
      );
    }
    const path = await this.tree.consistencyPath(first.treeSize, second.treeSize);
    return {
      version: CONSISTENCY_PROOF_VERSION,
      first,
      second,
      path: path.map((p) => p.toString('hex')),
    };
  }
}

/**
 * Both results, read at once. Both settle before either's failure is thrown, and the first's
 * failure wins: the error the two reads in turn would have given.
 */
async function settledBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a, b]);
  if (x.status === 'rejected') throw x.reason;
  if (y.status === 'rejected') throw y.reason;
  return [x.value, y.value];
}

/** What an offline check found: ok, or the first reason it failed. */
export interface ProofCheck {
  ok: boolean;
  detail: string;
}

const HEX32 = /^[0-9a-f]{64}$/;
const hashes = (path: unknown): Buffer[] | undefined =>
  Array.isArray(path) && path.every((p) => typeof p === 'string' && HEX32.test(p))
    ? path.map((p: string) => Buffer.from(p, 'hex'))
    : undefined;

/**
 * Checks an inclusion proof with nothing but the proof and the public key: the checkpoint's
 * signature, the event's leaf recomputed from its fields, the path to the signed root.
 */
export function checkInclusionProof(proof: InclusionProof, publicKeyPem: string): ProofCheck {
  if (proof.version !== INCLUSION_PROOF_VERSION) {
    return { ok: false, detail: `not an inclusion proof (version ${String(proof.version)})` };
  }
  const signature = checkpointProblem(proof.checkpoint, publicKeyPem);
  if (signature) return { ok: false, detail: signature };
  if (proof.treeSize !== proof.checkpoint.treeSize) {
    return { ok: false, detail: 'the proof is for another tree size than its checkpoint' };
  }
  const path = hashes(proof.path);
  if (!path) return { ok: false, detail: 'path must be a list of 64-hex-digit hashes' };
  let leaf: Buffer;
  try {
    leaf = eventLeafHash(fromAuditRecord(proof.event));
  } catch (error) {
    return { ok: false, detail: `event: ${(error as Error).message}` };
  }
  const root = Buffer.from(proof.checkpoint.rootHash, 'hex');
  return verifyInclusion(leaf, proof.leafIndex, proof.treeSize, path, root)
    ? {
        ok: true,
        detail: `event ${proof.event.id} (${proof.event.streamName} revision ${proof.event.revision}) is leaf ${proof.leafIndex} of the ${proof.treeSize} events signed by key ${proof.checkpoint.keyId} at ${proof.checkpoint.issuedAt}`,
      }
    : {
        ok: false,
        detail: `event ${proof.event.id} as given is not leaf ${proof.leafIndex} of the signed tree: the event or the path was altered`,
      };
}

/** Checks a consistency proof with nothing but the proof and the public key. */
export function checkConsistencyProof(proof: ConsistencyProof, publicKeyPem: string): ProofCheck {
  if (proof.version !== CONSISTENCY_PROOF_VERSION) {
    return { ok: false, detail: `not a consistency proof (version ${String(proof.version)})` };
  }
  for (const [name, c] of [
    ['first', proof.first],
    ['second', proof.second],
  ] as const) {
    const problem = checkpointProblem(c, publicKeyPem);
    if (problem) return { ok: false, detail: `${name} checkpoint: ${problem}` };
  }
  const path = hashes(proof.path);
  if (!path) return { ok: false, detail: 'path must be a list of 64-hex-digit hashes' };
  const ok = verifyConsistency(
    proof.first.treeSize,
    proof.second.treeSize,
    path,
    Buffer.from(proof.first.rootHash, 'hex'),
    Buffer.from(proof.second.rootHash, 'hex'),
  );
  return ok
    ? {
        ok: true,
        detail: `the ${proof.first.treeSize} events of the first checkpoint are the first ${proof.first.treeSize} of the second's ${proof.second.treeSize}: nothing signed was changed or removed`,
      }
    : {
        ok: false,
        detail: `the log of ${proof.first.treeSize} events is not a prefix of the log of ${proof.second.treeSize}: history signed earlier was rewritten`,
      };
}

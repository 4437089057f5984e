import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hash,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { contentDigest } from '@ledger/event-store';
import type { DigestedEvent } from '../log-digest';
import { LEAF_PREFIX_BYTE } from './merkle';

/**
 * A signed checkpoint: the log's size (leaves of the Merkle tree), the tree's root, the
 * position of the last event it covers and when it was signed, under an Ed25519 signature of
 * the ledger's checkpoint key. The signed text is fixed, line by line:
 *
 *   cme-ledger/checkpoint/v1
 *   <tree size>
 *   <root, base64>
 *   <position of the last event covered>
 *   <issued at, ISO 8601>
 *
 * so anyone with the public key can check a checkpoint without the ledger's code.
 */
export const CHECKPOINT_VERSION = 'cme-ledger/checkpoint/v1';

export interface SignedCheckpoint {
  version: typeof CHECKPOINT_VERSION;
  treeSize: number;
  /** Hex sha-256 root of the first treeSize events. */
  rootHash: string;
  /** Position of the last event covered ("0" for the empty log). */
  position: string;
  issuedAt: string;
  /** First 16 hex digits of sha-256 over the public key (SPKI DER): which key signed. */
  keyId: string;
  /** Ed25519 signature of checkpointText, base64. */
  signature: string;
}

export type UnsignedCheckpoint = Pick<
  SignedCheckpoint,
  'treeSize' | 'rootHash' | 'position' | 'issuedAt'
>;

export const checkpointText = (c: UnsignedCheckpoint): string =>
  [
    CHECKPOINT_VERSION,
    String(c.treeSize),
    Buffer.from(c.rootHash, 'hex').toString('base64'),
    c.position,
    c.issuedAt,
    '',
  ].join('\n');

export const keyIdOf = (publicKey: KeyObject): string =>
  createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);

/** The ledger's checkpoint key: signs; its public half is published for auditors. */
export class CheckpointSigner {
  readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(private readonly privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519') {
      throw new Error(
        `the checkpoint key must be an Ed25519 private key, not ${privateKey.asymmetricKeyType}`,
      );
    }
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  /** From PEM text (PKCS#8), as LEDGER_CHECKPOINT_KEY holds it. */
  static fromPem(pem: string): CheckpointSigner {
    return new CheckpointSigner(createPrivateKey(pem.replace(/\\n/g, '\n')));
  }

  static generate(): { signer: CheckpointSigner; pem: string } {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    return { signer: new CheckpointSigner(privateKey), pem };
  }

  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(checkpoint: UnsignedCheckpoint): SignedCheckpoint {
    const signature = sign(null, Buffer.from(checkpointText(checkpoint), 'utf8'), this.privateKey);
    return {
      version: CHECKPOINT_VERSION,
      treeSize: checkpoint.treeSize,
      rootHash: checkpoint.rootHash,
      position: checkpoint.position,
      issuedAt: checkpoint.issuedAt,
      keyId: this.keyId,
      signature: signature.toString('base64'),
    };
  }
}

/** Why a checkpoint does not verify under a public key, or undefined when it does. */
export function checkpointProblem(
  checkpoint: SignedCheckpoint,
  publicKeyPem: string,
): string | undefined {
  if (checkpoint.version !== CHECKPOINT_VERSION) {
    return `checkpoint version is "${String(checkpoint.version)}", expected ${CHECKPOINT_VERSION}`;
  }
  if (!Number.isSafeInteger(checkpoint.treeSize) || checkpoint.treeSize < 0) {
    return 'checkpoint treeSize must be a whole number';
  }
  if (!/^[0-9a-f]{64}$/.test(checkpoint.rootHash))
    return 'checkpoint rootHash must be 64 hex digits';
  let key: KeyObject;
  try {
    key = createPublicKey(publicKeyPem);
  } catch (error) {
    return `the public key cannot be read: ${(error as Error).message}`;
  }
  if (key.asymmetricKeyType !== 'ed25519') return 'the public key is not an Ed25519 key';
  if (checkpoint.keyId !== keyIdOf(key)) {
    return `checkpoint was signed by key ${checkpoint.keyId}, not by this public key (${keyIdOf(key)})`;
  }
  const ok = verify(
    null,
    Buffer.from(checkpointText(checkpoint), 'utf8'),
    key,
    Buffer.from(checkpoint.signature, 'base64'),
  );
  return ok ? undefined : 'the signature does not match the checkpoint: it was altered or forged';
}

/** The fields of an event its leaf covers: what the log digest covers, but its position. */
export type LeafEvent = Omit<DigestedEvent, 'position'>;

/**
 * One event's leaf: u32(length) ‖ stream name ‖ u64(revision) ‖ its chain link ‖ its content
 * digest (recomputed from what is stored). The link commits to the stream's history before it;
 * the position is left out, as in the log digest (a restored log keeps its tree).
 */
export function leafDataOf(e: LeafEvent, content: Buffer = contentDigest(e)): Buffer {
  return leafInput(e, content, 0);
}

/** The leaf data written after `prefix` bytes left for the caller. */
function leafInput(e: LeafEvent, content: Buffer, prefix: number): Buffer {
  const nameLength = Buffer.byteLength(e.streamName, 'utf8');
  const input = Buffer.allocUnsafe(
    prefix + 4 + nameLength + 8 + (e.hash.length >>> 1) + content.length,
  );
  let at = input.writeUInt32BE(nameLength, prefix);
  at += input.write(e.streamName, at, 'utf8');
  at = input.writeBigUInt64BE(e.revision, at);
  at += input.write(e.hash, at, 'hex');
  at += content.copy(input, at);
  // A link that is not all hex digits writes fewer bytes, as Buffer.from would decode it.
  return at === input.length ? input : input.subarray(0, at);
}

/** leafHash(leafDataOf(e)): the leaf's prefix and data in one buffer, hashed in one call. */
export const eventLeafHash = (e: LeafEvent, content: Buffer = contentDigest(e)): Buffer => {
  const input = leafInput(e, content, 1);
  input[0] = LEAF_PREFIX_BYTE;
  return hash('sha256', input, 'buffer');
};

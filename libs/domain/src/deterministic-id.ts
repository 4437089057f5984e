import { createHash } from 'node:crypto';

/**
 * Name-based UUIDs (RFC 9562 version 5, SHA-1): the same name always gives the same id, so
 * that a redelivered event leads to the same command and changes nothing.
 */

/** The namespace of every name-based id this ledger derives. Never change it. */
export const LEDGER_UUID_NAMESPACE = '8f5e2c1a-3b7d-4e9f-a1c6-2d4b8e0f7a93';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuidV5(name: string, namespace: string): string {
  if (!UUID.test(namespace)) throw new RangeError(`namespace "${namespace}" is not a UUID`);
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50; // version 5
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** R8: the id (and stream) of the submission of one claim to one board. */
export const boardSubmissionId = (claimId: string, boardCode: string): string =>
  uuidV5(`board-submission/${claimId}/${boardCode}`, LEDGER_UUID_NAMESPACE);

/**
 * R6/R8: the id of a claim, assigned by the ledger, never chosen by a caller: derived from the
 * learner and the claiming command's id, so it is unique across the ledger (two learners can
 * never share one, whatever ids their callers reuse) and a retry of the same command gets the
 * same claim. Board submissions derive from it (`boardSubmissionId`), so they are unique too.
 */
export const claimIdFor = (learnerId: string, commandId: string): string =>
  uuidV5(`claim/${learnerId.length}:${learnerId}/${commandId}`, LEDGER_UUID_NAMESPACE);

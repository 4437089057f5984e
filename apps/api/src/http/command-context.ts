import { createHash, randomUUID } from 'node:crypto';
import { uuidV5 } from '@ledger/domain';
import { canonicalJson, type JsonValue } from '@ledger/event-store';
import type { CommandMetadata } from '@ledger/ledger';
import type { Request } from 'express';

/** Namespace of command ids derived from (caller, Idempotency-Key). Never change it. */
const COMMAND_ID_NAMESPACE = '0b5d8c2e-61f4-4a3e-9d7c-8e2f1a6b4c90';

/** sha-256 (hex) of the method, the path and the canonical JSON of the body: what a retry repeats. */
export function requestDigest(request: Request): string {
  return createHash('sha256')
    .update(`${request.method} ${request.originalUrl.split('?')[0]}\n`)
    .update(canonicalJson((request.body ?? null) as JsonValue))
    .digest('hex');
}

/**
 * Who sent the command and its id: derived from the caller, its Idempotency-Key and the request
 * when there is a key (a retry then causes the same event ids, so nothing is recorded twice
 * even if the first answer was lost, or came after the key's record expired), otherwise new.
 * The request is part of it so that a key reused for another request once its record has
 * expired records that request, not nothing.
 */
export function commandMetadata(request: Request, scope: string): CommandMetadata {
  const caller = request.ledger.caller;
  if (!caller) throw new Error('commandMetadata needs an authenticated caller');
  const key = request.headers['idempotency-key'];
  const commandId =
    typeof key === 'string'
      ? uuidV5(`${caller.keyId}/${scope}/${key}/${requestDigest(request)}`, COMMAND_ID_NAMESPACE)
      : randomUUID();
  return { actor: caller.actor, correlationId: request.ledger.correlationId, commandId };
}

import { randomUUID } from 'node:crypto';
import { uuidV5 } from '@ledger/domain';
import type { CommandMetadata } from '@ledger/ledger';
import type { Request } from 'express';

/** Namespace of command ids derived from (caller, Idempotency-Key). Never change it. */
const COMMAND_ID_NAMESPACE = '0b5d8c2e-61f4-4a3e-9d7c-8e2f1a6b4c90';

/**
 * Who sent the command and its id: derived from the caller and its Idempotency-Key when there
 * is one (a retry then causes the same event ids, so nothing is recorded twice even if the
 * first answer was lost), otherwise new.
 */
export function commandMetadata(request: Request, scope: string): CommandMetadata {
  const caller = request.ledger.caller;
  if (!caller) throw new Error('commandMetadata needs an authenticated caller');
  const key = request.headers['idempotency-key'];
  const commandId =
    typeof key === 'string'
      ? uuidV5(`${caller.keyId}/${scope}/${key}`, COMMAND_ID_NAMESPACE)
      : randomUUID();
  return { actor: caller.actor, correlationId: request.ledger.correlationId, commandId };
}

import type { Role } from './api-keys';

/** Who is calling, once the API key is checked. */
export interface Caller {
  role: Role;
  keyId: string;
  /** What events and logs record as the actor. */
  actor: string;
}

export interface LedgerRequestContext {
  caller?: Caller;
  correlationId: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    ledger: LedgerRequestContext;
  }
}

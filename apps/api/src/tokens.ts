/** Injection tokens of the API's infrastructure. */
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');
export const DATABASE_POOL = Symbol('DATABASE_POOL');
export const DATABASE_KIND = Symbol('DATABASE_KIND');
export const READ_MODELS = Symbol('READ_MODELS');

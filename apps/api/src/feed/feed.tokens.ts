/** The feed's configuration (`LEDGER_FEED_*`), parsed at start-up. */
export const FEED_CONFIG = Symbol('FEED_CONFIG');

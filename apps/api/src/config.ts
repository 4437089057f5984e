/** Everything the service reads from its environment, read once, in one place. */
export interface LedgerConfig {
  port: number;
  production: boolean;
  /** DATABASE_URL; unset means the embedded server. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  eventStore: 'postgres' | 'eventstoredb';
  eventStoreConnectionString: string | undefined;
  /** IANA zone in which the earned year of a credit is read (R5). */
  timeZone: string;
  /** LEDGER_API_KEYS: comma-separated role:key pairs. */
  apiKeys: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const eventStore = env.EVENT_STORE ?? 'postgres';
  if (eventStore !== 'postgres' && eventStore !== 'eventstoredb') {
    throw new Error(`EVENT_STORE must be "postgres" or "eventstoredb", not "${eventStore}"`);
  }
  if (eventStore === 'eventstoredb' && !env.EVENTSTORE_CONNECTION_STRING) {
    throw new Error('EVENT_STORE=eventstoredb needs EVENTSTORE_CONNECTION_STRING');
  }
  const timeZone = env.LEDGER_TIME_ZONE ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new Error(`LEDGER_TIME_ZONE "${timeZone}" is not an IANA time zone`);
  }
  return {
    port: integer(env.PORT, 3000, 'PORT'),
    production: env.NODE_ENV === 'production',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.LEDGER_DATA_DIR ?? 'data',
    embeddedPostgresPort: integer(env.EMBEDDED_POSTGRES_PORT, 54329, 'EMBEDDED_POSTGRES_PORT'),
    eventStore,
    eventStoreConnectionString: env.EVENTSTORE_CONNECTION_STRING || undefined,
    timeZone,
    apiKeys: env.LEDGER_API_KEYS || undefined,
  };
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, not "${value}"`);
  return Number.parseInt(value, 10);
}

import { join } from 'node:path';
import { CheckpointSigner } from '@ledger/audit';
import type { CreateEventStoreOptions } from '@ledger/event-store';
import { ACTIVITY_DESCRIPTIONS, type CertificateProvider } from '@ledger/certificates';
import { feedConfigFromEnv, type FeedConfig } from '@ledger/feed';

/** Everything the service reads from its environment, read once, in one place. */
export interface LedgerConfig {
  port: number;
  production: boolean;
  /** DATABASE_URL: the role the ledger runs as; unset means the embedded server. */
  databaseUrl: string | undefined;
  /** DATABASE_OWNER_URL: the database's owner, which applies migrations and grants. */
  databaseOwnerUrl: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  eventStore: 'postgres' | 'eventstoredb';
  eventStoreConnectionString: string | undefined;
  /** EVENTSTORE_CLAIM_STREAM_PREFIX: streams binding each event id to its stream (EventStoreDB). */
  eventStoreClaimStreamPrefix: string | undefined;
  /** IANA zone in which the earned year of a credit is read (R5). */
  timeZone: string;
  /** LEDGER_API_KEYS: comma-separated role:key pairs. */
  apiKeys: string | undefined;
  /** LEDGER_MASTER_KEY: 32 bytes, base64; encrypts the learners' keys. */
  masterKey: Buffer;
  /** Requests per minute per API key, across all endpoints. */
  rateLimitPerMinute: number;
  /** Failed authentications per minute per address; past it, the address is refused (429). */
  authFailuresPerMinute: number;
  /** Requests per minute per address to the routes that need no key (health). */
  publicRateLimitPerMinute: number;
  /** How long an Idempotency-Key's answer is kept (LEDGER_IDEMPOTENCY_TTL_HOURS, default 7 days). */
  idempotencyRetentionMs: number;
  /** R15: how far in the future a command's occurredAt may be. */
  maxClockSkewMs: number;
  /**
   * LEDGER_OPERATIONS_PORT: a second, internal listener for health details, metrics and docs
   * without a key (default 3001 outside production, none in production unless set).
   */
  operationsPort: number | undefined;
  /** LEDGER_OPERATIONS_HOST: the operations port's address (default 127.0.0.1). */
  operationsHost: string;
  /** R15: how far in the past a learner command may be dated (LEDGER_MAX_BACKDATE). */
  maxBackdateMs: number;
  /** Run the projections inside this process (LEDGER_RUN_PROJECTIONS, default on). */
  runProjections: boolean;
  /**
   * ACCME PARS's web-service base (BOARD_GATEWAY_URL), through which every board is reported;
   * unset outside production: the PARS simulator `npm start` runs as a child process.
   */
  boardGatewayUrl: string | undefined;
  /** The accredited provider's PARS id (PARS_PROVIDER_ID); required in production with a gateway. */
  parsProviderId: string;
  /** The provider's PARS web-service key (PARS_API_KEY), sent as a bearer token. */
  parsApiKey: string | undefined;
  /** Run the board submission process inside this process (LEDGER_RUN_BOARD_PROCESS, default on). */
  runBoardProcess: boolean;
  /** How often accepted submissions are checked for confirmation (BOARD_SWEEP_INTERVAL_MS). */
  boardSweepIntervalMs: number;
  /** The board gateway's retry budget per call (BOARD_GATEWAY_MAX_ATTEMPTS). */
  boardGatewayMaxAttempts: number;
  /** R11: who issues the certificates, and the activities' titles (LEDGER_PROVIDER_*). */
  certificateProvider: CertificateProvider;
  /**
   * statement_timeout of the event store's sessions (LEDGER_DB_STATEMENT_TIMEOUT_MS): bounds how
   * long one append can hold the log's readers back (waiting for a stream's lock).
   */
  dbStatementTimeoutMs: number;
  /** idle_in_transaction_session_timeout of the event store's sessions (LEDGER_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS). */
  dbIdleInTransactionTimeoutMs: number;
  /** An append holding the log's readers back longer than this degrades /health (LEDGER_HORIZON_MAX_HOLD_MS). */
  horizonMaxHoldMs: number;
  /**
   * LEDGER_CHECKPOINT_KEY: the Ed25519 private key (PKCS#8 PEM) that signs the log's
   * checkpoints; never stored in the database. Required in production; outside it, unset means
   * a key generated once under the data folder (checkpoint-key.pem).
   */
  checkpointKey: string | undefined;
  /** LEDGER_WITNESS_DIR: the append-only folder that keeps every signed checkpoint (default $LEDGER_DATA_DIR/witness). */
  witnessDir: string;
  /** Sign a checkpoint once this many events were added since the last (LEDGER_CHECKPOINT_EVERY_EVENTS). */
  checkpointEveryEvents: number;
  /** ... or once this long has passed, when any event was added (LEDGER_CHECKPOINT_INTERVAL_MS). */
  checkpointIntervalMs: number;
  /** Build the tree and sign checkpoints in this process (LEDGER_RUN_CHECKPOINTS, default on). */
  runCheckpoints: boolean;
  /** The command executor's cache of folded streams: at most this many bytes (LEDGER_STREAM_CACHE_MB). */
  streamCacheBytes: number;
  /** The cache of unwrapped learner keys: at most this many bytes (LEDGER_KEY_CACHE_MB). */
  keyCacheBytes: number;
  /** The names of the streams verified intact on load: at most this many bytes (LEDGER_VERIFIED_CACHE_MB). */
  verifiedCacheBytes: number;
  /** Write a stream's snapshot every this many events (LEDGER_SNAPSHOT_EVERY; 0: no snapshots). */
  snapshotEvery: number;
  /** The event feed (`LEDGER_FEED_*`, `LEDGER_RUN_FEED`): its transports and their settings. */
  feed: FeedConfig;
}

/**
 * Development only: a fixed master key so that `npm start` works out of the box. Production
 * refuses to start without LEDGER_MASTER_KEY.
 */
const DEVELOPMENT_MASTER_KEY = Buffer.from('cme-ledger-development-master-key!!').subarray(0, 32);

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
    databaseOwnerUrl: env.DATABASE_OWNER_URL || undefined,
    dataDir: env.LEDGER_DATA_DIR ?? 'data',
    embeddedPostgresPort: integer(env.EMBEDDED_POSTGRES_PORT, 54329, 'EMBEDDED_POSTGRES_PORT'),
    eventStore,
    eventStoreConnectionString: env.EVENTSTORE_CONNECTION_STRING || undefined,
    eventStoreClaimStreamPrefix: env.EVENTSTORE_CLAIM_STREAM_PREFIX || undefined,
    timeZone,
    apiKeys: env.LEDGER_API_KEYS || undefined,
    masterKey: masterKey(env),
    rateLimitPerMinute: integer(
      env.LEDGER_RATE_LIMIT_PER_MINUTE,
      60000,
      'LEDGER_RATE_LIMIT_PER_MINUTE',
    ),
    authFailuresPerMinute: integer(env.LEDGER_AUTH_FAILURE_LIMIT, 30, 'LEDGER_AUTH_FAILURE_LIMIT'),
    publicRateLimitPerMinute: integer(
      env.LEDGER_PUBLIC_RATE_LIMIT,
      600,
      'LEDGER_PUBLIC_RATE_LIMIT',
    ),
    idempotencyRetentionMs:
      integer(env.LEDGER_IDEMPOTENCY_TTL_HOURS, 7 * 24, 'LEDGER_IDEMPOTENCY_TTL_HOURS') *
      60 *
      60 *
      1000,
    maxClockSkewMs: integer(
      env.LEDGER_MAX_CLOCK_SKEW_MS,
      5 * 60 * 1000,
      'LEDGER_MAX_CLOCK_SKEW_MS',
    ),
    operationsPort:
      env.LEDGER_OPERATIONS_PORT || env.NODE_ENV !== 'production'
        ? integer(env.LEDGER_OPERATIONS_PORT, 3001, 'LEDGER_OPERATIONS_PORT')
        : undefined,
    operationsHost: env.LEDGER_OPERATIONS_HOST || '127.0.0.1',
    maxBackdateMs: duration(env.LEDGER_MAX_BACKDATE, 'P30D', 'LEDGER_MAX_BACKDATE'),
    runProjections: (env.LEDGER_RUN_PROJECTIONS ?? 'true') !== 'false',
    boardGatewayUrl: env.BOARD_GATEWAY_URL || undefined,
    parsProviderId: parsProviderId(env),
    parsApiKey: env.PARS_API_KEY || undefined,
    runBoardProcess: (env.LEDGER_RUN_BOARD_PROCESS ?? 'true') !== 'false',
    boardSweepIntervalMs: integer(env.BOARD_SWEEP_INTERVAL_MS, 60_000, 'BOARD_SWEEP_INTERVAL_MS'),
    boardGatewayMaxAttempts: integer(
      env.BOARD_GATEWAY_MAX_ATTEMPTS,
      4,
      'BOARD_GATEWAY_MAX_ATTEMPTS',
    ),
    dbStatementTimeoutMs: integer(
      env.LEDGER_DB_STATEMENT_TIMEOUT_MS,
      30_000,
      'LEDGER_DB_STATEMENT_TIMEOUT_MS',
    ),
    dbIdleInTransactionTimeoutMs: integer(
      env.LEDGER_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      10_000,
      'LEDGER_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS',
    ),
    horizonMaxHoldMs: integer(env.LEDGER_HORIZON_MAX_HOLD_MS, 5_000, 'LEDGER_HORIZON_MAX_HOLD_MS'),
    streamCacheBytes: positive(env.LEDGER_STREAM_CACHE_MB, 16, 'LEDGER_STREAM_CACHE_MB') * MIB,
    keyCacheBytes: positive(env.LEDGER_KEY_CACHE_MB, 4, 'LEDGER_KEY_CACHE_MB') * MIB,
    verifiedCacheBytes: positive(env.LEDGER_VERIFIED_CACHE_MB, 4, 'LEDGER_VERIFIED_CACHE_MB') * MIB,
    snapshotEvery: integer(env.LEDGER_SNAPSHOT_EVERY, 500, 'LEDGER_SNAPSHOT_EVERY'),
    certificateProvider: certificateProvider(env),
    feed: feedConfigFromEnv(env),
    checkpointKey: checkpointKey(env),
    witnessDir: env.LEDGER_WITNESS_DIR || join(env.LEDGER_DATA_DIR ?? 'data', 'witness'),
    checkpointEveryEvents: integer(
      env.LEDGER_CHECKPOINT_EVERY_EVENTS,
      1000,
      'LEDGER_CHECKPOINT_EVERY_EVENTS',
    ),
    checkpointIntervalMs: integer(
      env.LEDGER_CHECKPOINT_INTERVAL_MS,
      60_000,
      'LEDGER_CHECKPOINT_INTERVAL_MS',
    ),
    runCheckpoints: (env.LEDGER_RUN_CHECKPOINTS ?? 'true') !== 'false',
  };
}

/** The checkpoint key as given, checked to be an Ed25519 private key; required in production. */
function checkpointKey(env: NodeJS.ProcessEnv): string | undefined {
  const pem = env.LEDGER_CHECKPOINT_KEY || undefined;
  if (pem === undefined) {
    if (env.NODE_ENV === 'production') {
      throw new Error(
        'LEDGER_CHECKPOINT_KEY is required in production: the Ed25519 private key (PKCS#8 PEM) that ' +
          "signs the log's checkpoints, kept out of the database. Create one with " +
          '`openssl genpkey -algorithm ed25519` and publish its public key ' +
          '(`openssl pkey -pubout`) to your auditors',
      );
    }
    return undefined;
  }
  try {
    CheckpointSigner.fromPem(pem);
  } catch (error) {
    throw new Error(
      `LEDGER_CHECKPOINT_KEY must be an Ed25519 private key in PKCS#8 PEM (openssl genpkey -algorithm ed25519): ${(error as Error).message}`,
    );
  }
  return pem;
}

/**
 * Outside production only: a provider that says plainly it is not one, so that a development
 * certificate can never pass for a real one.
 */
const DEVELOPMENT_PROVIDER: CertificateProvider = {
  name: 'Development CME provider (not accredited)',
  accreditationStatement:
    'This certificate comes from a development deployment of the CME credit ledger: no ' +
    'accredited provider issued it, and it is not valid for credit.',
  activityTitles: {
    ipoc: ACTIVITY_DESCRIPTIONS.ipoc.title,
    'nejm-board-review': ACTIVITY_DESCRIPTIONS['nejm-board-review'].title,
  },
};

const PROVIDER_VARIABLES = {
  name: 'LEDGER_PROVIDER_NAME',
  accreditationStatement: 'LEDGER_ACCREDITATION_TEXT',
  ipoc: 'LEDGER_TITLE_IPOC',
  'nejm-board-review': 'LEDGER_TITLE_BOARD_REVIEW',
} as const;

/** R11: the accredited provider and its activity titles; production refuses to start without them. */
function certificateProvider(env: NodeJS.ProcessEnv): CertificateProvider {
  const read = (key: keyof typeof PROVIDER_VARIABLES, fallback: string, max: number): string => {
    const name = PROVIDER_VARIABLES[key];
    const value = (env[name] ?? '').trim();
    if (value === '') {
      if (env.NODE_ENV === 'production') {
        throw new Error(
          `${name} is required in production: the certificates (R11) print it. Set it to the ` +
            "accredited provider's own text, e.g. " +
            (key === 'accreditationStatement'
              ? `${name}="Example Health is accredited by the ACCME to provide continuing medical education for physicians."`
              : `${name}="…"`),
        );
      }
      return fallback;
    }
    if (value.length > max || /\p{Cc}/u.test(value)) {
      throw new Error(`${name} must be at most ${max} characters, without control characters`);
    }
    return value;
  };
  return {
    name: read('name', DEVELOPMENT_PROVIDER.name, 120),
    accreditationStatement: read(
      'accreditationStatement',
      DEVELOPMENT_PROVIDER.accreditationStatement,
      400,
    ),
    activityTitles: {
      ipoc: read('ipoc', DEVELOPMENT_PROVIDER.activityTitles.ipoc, 120),
      'nejm-board-review': read(
        'nejm-board-review',
        DEVELOPMENT_PROVIDER.activityTitles['nejm-board-review'],
        120,
      ),
    },
  };
}

const MIB = 1024 * 1024;

/** A whole number of at least 1 (a memory bound of 0 would make the cache useless). */
function positive(value: string | undefined, fallback: number, name: string): number {
  const n = integer(value, fallback, name);
  if (n < 1) throw new Error(`${name} must be at least 1, not "${value}"`);
  return n;
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, not "${value}"`);
  return Number.parseInt(value, 10);
}

/** An ISO 8601 duration in days or hours: `P30D`, `PT12H`. */
function duration(value: string | undefined, fallback: string, name: string): number {
  const text = value === undefined || value === '' ? fallback : value;
  const match = /^P(?:(\d{1,5})D)?(?:T(\d{1,6})H)?$/.exec(text);
  if (!match || (match[1] === undefined && match[2] === undefined)) {
    throw new Error(
      `${name} must be an ISO 8601 duration in days or hours such as P30D or PT12H, not "${text}"`,
    );
  }
  const days = Number.parseInt(match[1] ?? '0', 10);
  const hours = Number.parseInt(match[2] ?? '0', 10);
  return (days * 24 + hours) * 60 * 60 * 1000;
}

function masterKey(env: NodeJS.ProcessEnv): Buffer {
  const given = env.LEDGER_MASTER_KEY;
  if (!given) {
    if (env.NODE_ENV === 'production') {
      throw new Error('LEDGER_MASTER_KEY is required in production (32 random bytes, base64)');
    }
    return DEVELOPMENT_MASTER_KEY;
  }
  const key = Buffer.from(given, 'base64');
  if (key.length !== 32) throw new Error('LEDGER_MASTER_KEY must be 32 bytes, base64-encoded');
  return key;
}

/** The event store the configuration selects, over the PostgreSQL database at `postgresUrl`. */
export function eventStoreOptions(
  config: LedgerConfig,
  postgresUrl: string,
): CreateEventStoreOptions {
  return {
    kind: config.eventStore,
    postgresUrl,
    eventStoreDbConnectionString: config.eventStoreConnectionString,
    eventStoreDbClaimStreamPrefix: config.eventStoreClaimStreamPrefix,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
  };
}

/** The provider's PARS id: a development id outside production, required in production. */
function parsProviderId(env: NodeJS.ProcessEnv): string {
  const id = env.PARS_PROVIDER_ID?.trim();
  if (id) return id;
  if (env.NODE_ENV === 'production' && env.BOARD_GATEWAY_URL) {
    throw new Error(
      'PARS_PROVIDER_ID is required in production when BOARD_GATEWAY_URL is set: PARS takes ' +
        "learner records only under the accredited provider's id. Set it to the id ACCME gave you.",
    );
  }
  return 'DEV-PROVIDER';
}

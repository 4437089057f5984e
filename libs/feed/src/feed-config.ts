import { webhookKey } from './webhook-signature';

export interface WebhookFeedConfig {
  url: string;
  secrets: string[];
  timeoutMs: number;
  /** Attempts at an event the receiver refuses (4xx) before it goes to the dead-letter list. */
  maxAttempts: number;
}

export interface NatsFeedConfig {
  servers: string;
  stream: string;
  subjectPrefix: string;
  duplicateWindowMs: number;
  publishTimeoutMs: number;
}

export interface FeedConfig {
  /** Whether this process runs the feeds configured (one process at a time does: a lease). */
  run: boolean;
  /** The CloudEvents `source` of every event. */
  source: string;
  batchSize: number;
  /** Backoff between attempts: from `initialBackoffMs`, doubling, up to `maxBackoffMs`. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  webhook: WebhookFeedConfig | undefined;
  nats: NatsFeedConfig | undefined;
}

const whole = (env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new Error(`${name} must be a whole number of at least ${min}, not "${value}"`);
  return Number(value);
};

const flag = (env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (value !== 'true' && value !== 'false')
    throw new Error(`${name} must be "true" or "false", not "${value}"`);
  return value === 'true';
};

/**
 * The feed's configuration (README, Configuration: the `LEDGER_FEED_*` variables). Each
 * transport is on when its address is set; a value that cannot work stops the start-up with an
 * error naming the variable.
 */
export function feedConfigFromEnv(env: NodeJS.ProcessEnv = process.env): FeedConfig {
  return {
    run: flag(env, 'LEDGER_RUN_FEED', true),
    source: env.LEDGER_FEED_SOURCE || 'urn:cme-ledger',
    batchSize: whole(env, 'LEDGER_FEED_BATCH', 100),
    initialBackoffMs: whole(env, 'LEDGER_FEED_BACKOFF_INITIAL_MS', 250),
    maxBackoffMs: whole(env, 'LEDGER_FEED_BACKOFF_MAX_MS', 60_000),
    webhook: webhookConfig(env),
    nats: env.LEDGER_FEED_NATS_SERVERS
      ? {
          servers: env.LEDGER_FEED_NATS_SERVERS,
          stream: natsName(env, 'LEDGER_FEED_NATS_STREAM', 'CME_LEDGER', /^[A-Za-z0-9_-]+$/),
          subjectPrefix: natsName(
            env,
            'LEDGER_FEED_NATS_SUBJECT_PREFIX',
            'cme.ledger',
            /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/,
          ),
          duplicateWindowMs: whole(env, 'LEDGER_FEED_NATS_DUPLICATE_WINDOW_MS', 120_000, 1000),
          publishTimeoutMs: whole(env, 'LEDGER_FEED_NATS_PUBLISH_TIMEOUT_MS', 5000),
        }
      : undefined,
  };
}

function natsName(env: NodeJS.ProcessEnv, name: string, fallback: string, shape: RegExp): string {
  const value = env[name] || fallback;
  if (!shape.test(value)) throw new Error(`${name} "${value}" is not a valid NATS name`);
  return value;
}

function webhookConfig(env: NodeJS.ProcessEnv): WebhookFeedConfig | undefined {
  const url = env.LEDGER_FEED_WEBHOOK_URL;
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`LEDGER_FEED_WEBHOOK_URL "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new Error('LEDGER_FEED_WEBHOOK_URL must be an http(s) URL');
  const secrets = (env.LEDGER_FEED_WEBHOOK_SECRET ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (secrets.length === 0)
    throw new Error(
      'LEDGER_FEED_WEBHOOK_SECRET is required with LEDGER_FEED_WEBHOOK_URL: "whsec_" then base64 ' +
        'of 24 to 64 random bytes (e.g. echo whsec_$(openssl rand -base64 32))',
    );
  for (const secret of secrets) {
    try {
      webhookKey(secret);
    } catch (error) {
      throw new Error(`LEDGER_FEED_WEBHOOK_SECRET: ${(error as Error).message}`);
    }
  }
  return {
    url,
    secrets,
    timeoutMs: whole(env, 'LEDGER_FEED_WEBHOOK_TIMEOUT_MS', 10_000),
    maxAttempts: whole(env, 'LEDGER_FEED_WEBHOOK_MAX_ATTEMPTS', 5),
  };
}

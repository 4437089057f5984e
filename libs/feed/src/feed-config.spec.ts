import { feedConfigFromEnv } from './feed-config';

const SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;

describe('the feed configuration (LEDGER_FEED_*)', () => {
  it('turns each transport on by its address, with the documented defaults', () => {
    expect(feedConfigFromEnv({})).toMatchObject({ run: true, webhook: undefined, nats: undefined });
    const config = feedConfigFromEnv({
      LEDGER_FEED_WEBHOOK_URL: 'https://billing.internal/ledger-events',
      LEDGER_FEED_WEBHOOK_SECRET: SECRET,
      LEDGER_FEED_NATS_SERVERS: '127.0.0.1:4222',
    });
    expect(config.webhook).toEqual({
      url: 'https://billing.internal/ledger-events',
      secrets: [SECRET],
      timeoutMs: 10_000,
      maxAttempts: 5,
    });
    expect(config.nats).toEqual({
      servers: '127.0.0.1:4222',
      stream: 'CME_LEDGER',
      subjectPrefix: 'cme.ledger',
      duplicateWindowMs: 120_000,
      publishTimeoutMs: 5000,
    });
  });

  it.each([
    [{ LEDGER_FEED_WEBHOOK_URL: 'https://x.test/h' }, 'LEDGER_FEED_WEBHOOK_SECRET is required'],
    [
      { LEDGER_FEED_WEBHOOK_URL: 'https://x.test/h', LEDGER_FEED_WEBHOOK_SECRET: 'hunter2' },
      'LEDGER_FEED_WEBHOOK_SECRET: a webhook secret starts with "whsec_"',
    ],
    [{ LEDGER_FEED_WEBHOOK_URL: 'ftp://x.test/h', LEDGER_FEED_WEBHOOK_SECRET: SECRET }, 'http(s)'],
    [
      { LEDGER_FEED_NATS_SERVERS: 'n:4222', LEDGER_FEED_NATS_STREAM: 'a.b' },
      'LEDGER_FEED_NATS_STREAM',
    ],
    [{ LEDGER_FEED_BACKOFF_MAX_MS: 'soon' }, 'LEDGER_FEED_BACKOFF_MAX_MS must be a whole number'],
    [{ LEDGER_RUN_FEED: 'yes' }, 'LEDGER_RUN_FEED must be "true" or "false"'],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => feedConfigFromEnv(env)).toThrow(message);
  });
});

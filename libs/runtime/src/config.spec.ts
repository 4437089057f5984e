import { generateKeyPairSync } from 'node:crypto';
import { eventStoreOptions, loadConfig } from './config';

const ed25519Pem = (): string =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const PRODUCTION = {
  NODE_ENV: 'production',
  LEDGER_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
  LEDGER_PROVIDER_NAME: 'Example Health CME',
  LEDGER_ACCREDITATION_TEXT:
    'Example Health CME is accredited by the ACCME to provide continuing medical education for physicians.',
  LEDGER_TITLE_IPOC: 'Point-of-Care Learning',
  LEDGER_TITLE_BOARD_REVIEW: 'NEJM Knowledge+ Board Review',
  LEDGER_CHECKPOINT_KEY: ed25519Pem(),
};

describe('configuration', () => {
  it.each([
    'LEDGER_PROVIDER_NAME',
    'LEDGER_ACCREDITATION_TEXT',
    'LEDGER_TITLE_IPOC',
    'LEDGER_TITLE_BOARD_REVIEW',
  ])('R11: production refuses to start without %s, naming it and the fix', (variable) => {
    expect(() => loadConfig({ ...PRODUCTION, [variable]: '' })).toThrow(
      new RegExp(`${variable} is required in production`),
    );
  });

  it("R11: production prints the provider's own name, statement and titles", () => {
    expect(loadConfig(PRODUCTION).certificateProvider).toEqual({
      name: 'Example Health CME',
      accreditationStatement: PRODUCTION.LEDGER_ACCREDITATION_TEXT,
      activityTitles: {
        ipoc: 'Point-of-Care Learning',
        'nejm-board-review': 'NEJM Knowledge+ Board Review',
      },
    });
  });

  it('R11: outside production, the certificates say plainly they come from no accredited provider', () => {
    const { certificateProvider } = loadConfig({ NODE_ENV: 'test' });
    expect(certificateProvider.name).toMatch(/not accredited/);
    expect(certificateProvider.accreditationStatement).toMatch(/not valid for credit/);
  });

  it('production refuses to start without the checkpoint key, naming the variable and how to make one', () => {
    expect(() => loadConfig({ ...PRODUCTION, LEDGER_CHECKPOINT_KEY: '' })).toThrow(
      /LEDGER_CHECKPOINT_KEY is required in production: .*openssl genpkey -algorithm ed25519/,
    );
    // A key of another kind, or not a key: refused at start-up, not at the first checkpoint.
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => loadConfig({ ...PRODUCTION, LEDGER_CHECKPOINT_KEY: rsa })).toThrow(
      /LEDGER_CHECKPOINT_KEY must be an Ed25519 private key.*not rsa/,
    );
    expect(() => loadConfig({ NODE_ENV: 'test', LEDGER_CHECKPOINT_KEY: 'secret' })).toThrow(
      /LEDGER_CHECKPOINT_KEY must be an Ed25519 private key/,
    );
    // As an environment file often holds it: one line with \n for the line breaks.
    const oneLine = PRODUCTION.LEDGER_CHECKPOINT_KEY.replace(/\n/g, '\\n');
    expect(loadConfig({ ...PRODUCTION, LEDGER_CHECKPOINT_KEY: oneLine }).checkpointKey).toBe(
      oneLine,
    );
    // Outside production it may be unset: a development key is generated under the data folder.
    expect(loadConfig({ NODE_ENV: 'test' }).checkpointKey).toBeUndefined();
    expect(loadConfig({ LEDGER_DATA_DIR: '/srv/ledger' }).witnessDir).toBe('/srv/ledger/witness');
  });

  it('R15: LEDGER_MAX_BACKDATE is 30 days unless set, in ISO 8601 days or hours', () => {
    expect(loadConfig({}).maxBackdateMs).toBe(30 * 24 * 3600 * 1000);
    expect(loadConfig({ LEDGER_MAX_BACKDATE: 'P7D' }).maxBackdateMs).toBe(7 * 24 * 3600 * 1000);
    expect(loadConfig({ LEDGER_MAX_BACKDATE: 'PT12H' }).maxBackdateMs).toBe(12 * 3600 * 1000);
    expect(() => loadConfig({ LEDGER_MAX_BACKDATE: '30 days' })).toThrow(
      /LEDGER_MAX_BACKDATE must be an ISO 8601 duration/,
    );
  });
  it('the caches are bounded in MiB from the environment, and a bound of 0 or a word is refused, naming the variable', () => {
    expect(loadConfig({})).toMatchObject({
      streamCacheBytes: 16 * 1024 ** 2,
      keyCacheBytes: 4 * 1024 ** 2,
    });
    expect(loadConfig({ LEDGER_STREAM_CACHE_MB: '48', LEDGER_KEY_CACHE_MB: '2' })).toMatchObject({
      streamCacheBytes: 48 * 1024 ** 2,
      keyCacheBytes: 2 * 1024 ** 2,
    });
    expect(() => loadConfig({ LEDGER_KEY_CACHE_MB: '0' })).toThrow(
      /LEDGER_KEY_CACHE_MB must be at least 1/,
    );
    expect(() => loadConfig({ LEDGER_KEY_CACHE_MB: 'four' })).toThrow(
      /LEDGER_KEY_CACHE_MB must be a whole number/,
    );
  });
});

describe('event store configuration', () => {
  it('passes the EventStoreDB connection string and claim-stream prefix to the event store', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: 'esdb://ledger:pw@es1:2113,es2:2113?tls=true',
      EVENTSTORE_CLAIM_STREAM_PREFIX: 'ledger-id-',
    });
    expect(eventStoreOptions(config, 'postgres://db/ledger')).toEqual({
      kind: 'eventstoredb',
      postgresUrl: 'postgres://db/ledger',
      eventStoreDbConnectionString: 'esdb://ledger:pw@es1:2113,es2:2113?tls=true',
      eventStoreDbClaimStreamPrefix: 'ledger-id-',
      statementTimeoutMs: 30_000,
      idleInTransactionTimeoutMs: 10_000,
    });
  });

  it("passes the PostgreSQL sessions' timeouts to the event store, and refuses one that is not a number", () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      LEDGER_DB_STATEMENT_TIMEOUT_MS: '15000',
      LEDGER_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '4000',
    });
    expect(eventStoreOptions(config, 'postgres://db/ledger')).toEqual(
      expect.objectContaining({
        kind: 'postgres',
        statementTimeoutMs: 15_000,
        idleInTransactionTimeoutMs: 4_000,
      }),
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'test', LEDGER_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '10s' }),
    ).toThrow(/LEDGER_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS must be a whole number/);
  });

  it('refuses EVENT_STORE=eventstoredb without a connection string, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', EVENT_STORE: 'eventstoredb' })).toThrow(
      /EVENTSTORE_CONNECTION_STRING/,
    );
  });
});

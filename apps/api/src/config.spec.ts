import { eventStoreOptions, loadConfig } from './config';

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

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
    });
  });

  it('refuses EVENT_STORE=eventstoredb without a connection string, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', EVENT_STORE: 'eventstoredb' })).toThrow(
      /EVENTSTORE_CONNECTION_STRING/,
    );
  });
});

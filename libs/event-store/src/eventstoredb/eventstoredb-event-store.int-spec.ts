import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { WrongExpectedRevisionError } from '../errors';
import { eventStoreContract, type ContractHarness } from '../testing/event-store.contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

/**
 * The shared contract against a real EventStoreDB or KurrentDB server (22.10+), e.g.
 * EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false. The server may be shared:
 * every stream of a run carries the run's prefix, and ownEvent keeps to those.
 * EVENTSTORE_DISRUPT_COMMAND, when set, is run (through sh) while the concurrency test's
 * writers write: CI's three-node job kills the cluster's leader with it
 * (.github/workflows/eventstoredb.yml).
 */
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;
const disruptCommand = process.env.EVENTSTORE_DISRUPT_COMMAND;
const SKIPPED =
  'event store contract: eventstoredb — skipped: EVENTSTORE_CONNECTION_STRING is not set; ' +
  'no EventStoreDB server can run on this machine';

async function eventStoreDbHarness(): Promise<ContractHarness> {
  const store = await EventStoreDbEventStore.create({
    connectionString: connectionString!,
    ...(process.env.EVENTSTORE_CLAIM_STREAM_PREFIX
      ? { idClaimStreamPrefix: process.env.EVENTSTORE_CLAIM_STREAM_PREFIX }
      : {}),
  });
  const run = `contract-${randomUUID().slice(0, 8)}`;
  return {
    store,
    // EventStoreDB has no transactions to roll back: the nearest equivalent is an append the
    // store refuses. No stream here reaches this revision, so the append fails its expected
    // revision check before anything (not even an id claim) is written.
    async appendThenAbandon(streamName, events) {
      await store.append(streamName, events, { expectedRevision: 2n ** 62n }).then(
        () => {
          throw new Error('an append at an impossible revision was accepted');
        },
        (error: unknown) => {
          if (!(error instanceof WrongExpectedRevisionError)) throw error;
        },
      );
    },
    // No write stays uncommitted in EventStoreDB: the append is held back by holdMs instead,
    // while later writers go ahead.
    async appendHeldOpen(streamName, events, holdMs) {
      await new Promise((r) => setTimeout(r, holdMs));
      return store.append(streamName, events);
    },
    ownEvent: (event) => event.streamName.startsWith(`${run}-`),
    streamName: (label) => `${run}-${label}-${randomUUID().slice(0, 8)}`,
    ...(disruptCommand
      ? {
          disrupt: async () => {
            const { stdout } = await promisify(execFile)('sh', ['-c', disruptCommand]);
            process.stderr.write(`EVENTSTORE_DISRUPT_COMMAND: ${stdout}\n`);
          },
        }
      : {}),
    dispose: () => store.close(),
  };
}

// Jest 29 lists neither the tests nor the console output of a file whose every test is
// skipped, so the reason is also written to stderr, which reaches the test output.
if (!connectionString) process.stderr.write(`\n○ ${SKIPPED}\n\n`);

(connectionString ? describe : describe.skip)(
  connectionString ? 'EventStoreDB server' : SKIPPED,
  () => {
    if (connectionString) eventStoreContract('eventstoredb', eventStoreDbHarness);
    else it('runs the shared contract', () => undefined);
  },
);

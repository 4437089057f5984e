import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  learnerDecider,
  learnerSnapshotOf,
  learnerStreamName,
  type LearnerState,
  type LearnerCommand,
  type LearnerEvent,
} from '@ledger/domain';
import { learnerFixtures, testDecisionContext } from '@ledger/domain/testing';
import { PostgresEventStore } from '@ledger/event-store';
import { openReadModels } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import { freshDatabase } from '../../../../test/support/test-database';
import { learnerEventCodec } from '../event-codecs';
import { learnerSnapshotCodec } from '../learner/learner-snapshot-codec';
import { LEDGER_TABLES } from '../operational/ledger-tables';
import { PersonalDataCipher } from '../personal-data/personal-data-cipher';
import { StreamCommandExecutor } from './stream-command-executor';
import {
  PostgresSnapshotStore,
  snapshotKey,
  type SnapshotCodec,
  type SnapshotSettings,
} from './stream-snapshots';

const KEY = snapshotKey(Buffer.alloc(32, 7));

const { updateProfile, recordResearch, recordAnswer, claimCredits, erasePersonalData, at } = {
  ...learnerFixtures,
  at: (iso: string) => new Date(iso),
};

/** One step of a random history: a command, or a retry of an earlier one (same command id). */
type Step =
  { kind: 'command'; command: LearnerCommand } | { kind: 'retry'; of: number } | { kind: 'erase' };

const day = fc
  .integer({ min: 1, max: 28 })
  .map((d) => at(`2025-06-${String(d).padStart(2, '0')}T10:00:00Z`));
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    // Research ids that a snapshot's text of ids must keep apart: prefixes, a line break, a
    // backslash, a character beyond ASCII.
    arbitrary: fc
      .record({ id: fc.constantFrom('r1', 'r2', 'r10', 'r1\n', 'r\\1', 'ré'), when: day })
      .map(({ id, when }) => ({
        kind: 'command' as const,
        command: recordResearch({ researchId: id, occurredAt: when }),
      })),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({ id: fc.integer({ min: 1, max: 8 }), correct: fc.boolean(), when: day })
      .map(({ id, correct, when }) => ({
        kind: 'command' as const,
        command: recordAnswer({ questionId: `q${id}`, correct, occurredAt: when }),
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('Quinn', 'Reyes')
      .map((lastName) => ({ kind: 'command' as const, command: updateProfile({ lastName }) })),
  },
  {
    // Claims come last in the month, after the facts they redeem (R6).
    weight: 3,
    arbitrary: fc.constantFrom('ipoc' as const, 'nejm-board-review' as const).map((activity) => ({
      kind: 'command' as const,
      command: claimCredits({ activity, occurredAt: at('2025-06-14T12:00:00Z') }),
    })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'erase' as const }) },
  { weight: 2, arbitrary: fc.nat(20).map((of) => ({ kind: 'retry' as const, of })) },
);

describe('stream snapshots on a real PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let cipher: PersonalDataCipher;
  beforeAll(async () => {
    db = await freshDatabase('snapshots');
    store = await PostgresEventStore.create({ connectionString: db.url });
    // As a process opens it: its migrations make the operational tables.
    dataSource = await openReadModels(db.url, { poolSize: 4, tables: [LEDGER_TABLES] });
    cipher = new PersonalDataCipher(dataSource, Buffer.alloc(32, 7));
  });
  afterAll(async () => {
    await store.close();
    await dataSource.destroy();
    await db.drop();
  });

  /** Runs the steps on one learner, each command on a new executor (a process just started). */
  async function decideAll(steps: Step[], snapshots: SnapshotSettings | undefined) {
    const learnerId = randomUUID();
    const streamName = learnerStreamName(learnerId);
    const codec = learnerEventCodec(cipher);
    const sent: { command: LearnerCommand; commandId: string }[] = [];
    const answers: unknown[] = [];
    for (const [index, s] of steps.entries()) {
      let next: { command: LearnerCommand; commandId: string };
      if (s.kind === 'erase') {
        next = {
          command: erasePersonalData({ occurredAt: at('2025-06-14T10:00:00Z') }),
          commandId: randomUUID(),
        };
      } else if (s.kind === 'retry') {
        const earlier = sent[s.of % Math.max(1, sent.length)];
        if (!earlier) continue;
        next = earlier;
      } else {
        const command =
          s.command.type === 'ClaimCredits'
            ? { ...s.command, data: { ...s.command.data, claimId: `claim-${index}` } }
            : s.command;
        next = { command, commandId: randomUUID() };
      }
      sent.push(next);
      const executor = new StreamCommandExecutor(store, { snapshots });
      const answer = await executor
        .execute({
          streamName,
          decider: learnerDecider,
          codec,
          command: next.command,
          context: () => testDecisionContext(),
          metadata: { actor: 'test', correlationId: 'c', commandId: next.commandId },
        })
        .then(
          (o) => ({
            events: o.events as LearnerEvent[],
            repeated: o.repeated,
            revision: o.revision,
          }),
          (error: { code?: string; rule?: string }) => ({ refused: error.code, rule: error.rule }),
        );
      if (s.kind === 'erase') await cipher.erase(learnerId);
      await executor.idle();
      answers.push(answer);
    }
    // And the state a cold load folds (from the last snapshot, or from the start) is the same.
    const { state } = await new StreamCommandExecutor(store, { snapshots }).state(
      streamName,
      learnerDecider,
      codec,
    );
    return { answers, state };
  }

  /** Runs a learner command on the stream through the executor given, with a new command id. */
  const runOn =
    (streamName: string) => (executor: StreamCommandExecutor, command: LearnerCommand) =>
      executor.execute({
        streamName,
        decider: learnerDecider,
        codec: learnerEventCodec(cipher),
        command,
        context: () => testDecisionContext(),
        metadata: { actor: 'test', correlationId: 'c', commandId: randomUUID() },
      });

  it('with and without snapshots, random command sequences decide the same events', async () => {
    const snapshotStore = new PostgresSnapshotStore(dataSource);
    let snapshotsRead = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 3, maxLength: 14 }),
        fc.integer({ min: 1, max: 4 }),
        async (steps, every) => {
          const settings: SnapshotSettings = {
            store: {
              load: async (name, version) => {
                const found = await snapshotStore.load(name, version);
                if (found) snapshotsRead += 1;
                return found;
              },
              save: (s) => snapshotStore.save(s),
            },
            key: KEY,
            every,
            codecs: [{ prefix: 'learner-', codec: learnerSnapshotCodec(cipher) as never }],
          };
          const without = await decideAll(steps, undefined);
          const withSnapshots = await decideAll(steps, settings);
          expect(withSnapshots.answers).toEqual(without.answers);
          expect(withSnapshots.state).toEqual(without.state);
        },
      ),
      { numRuns: 30 },
    );
    // The property is about something: snapshots were there and commands started from them.
    expect(snapshotsRead).toBeGreaterThan(25);
  });

  it('passes over a snapshot of another state version, and one whose event the stream no longer holds at its revision', async () => {
    const snapshotStore = new PostgresSnapshotStore(dataSource);
    const codec = learnerSnapshotCodec(cipher);
    const settings = (version: string): SnapshotSettings => ({
      store: snapshotStore,
      key: KEY,
      every: 1,
      codecs: [{ prefix: 'learner-', codec: { ...codec, stateVersion: version } as never }],
    });
    const streamName = learnerStreamName(randomUUID());
    const run = runOn(streamName);
    const first = new StreamCommandExecutor(store, { snapshots: settings('v1') });
    await run(first, recordResearch({ researchId: 'r1' }));
    await first.idle();
    expect(first.figures().snapshotsWritten).toBe(1);

    // A new state version: the v1 snapshot is not read.
    const other = new StreamCommandExecutor(store, { snapshots: settings('v2') });
    await run(other, recordResearch({ researchId: 'r2' }));
    expect(other.figures().snapshotsRead).toBe(0);
    await other.idle();

    // A snapshot naming an event the stream does not hold at that revision is not read either.
    const stored = await snapshotStore.load(streamName, 'v2');
    expect(stored).toBeDefined();
    await snapshotStore.save({
      ...stored!,
      revision: stored!.revision + 1n,
      eventId: randomUUID(),
    });
    const third = new StreamCommandExecutor(store, { snapshots: settings('v2') });
    const outcome = await run(third, recordResearch({ researchId: 'r1' }));
    expect(third.figures().snapshotsRead).toBe(0);
    // R1: r1 was already recorded: the fold from the log knows it.
    expect(outcome.events).toEqual([]);
  });

  it("never decides from a snapshot of learner state version 2 (a row per fact): not read under its own version, refused under today's", async () => {
    const snapshotStore = new PostgresSnapshotStore(dataSource);
    const codec = learnerSnapshotCodec(cipher);
    expect(codec.stateVersion).toBe('learner/3');
    // A learner's state as version 2 wrote it: a row per earning fact, a pair per redeemed one.
    const version2 = (stateVersion: string): SnapshotCodec<LearnerState> => ({
      ...codec,
      stateVersion,
      encode: (state) => {
        const { state: clear } = learnerSnapshotOf(state);
        const earned = state.earned
          .toArray()
          .map((f) => [
            f.activity === 'ipoc' ? 0 : 1,
            f.sourceId,
            f.earnedYear,
            f.twelfths.toString(),
            f.occurredAt.getTime(),
          ]);
        const redeemed = [...state.redeemed].map(([index, t]) => [index, t.toString()]);
        return Promise.resolve(
          JSON.stringify({ state: { ...clear, earned, redeemed }, personal: null }),
        );
      },
    });
    const settings = (c: SnapshotCodec<LearnerState>): SnapshotSettings => ({
      store: snapshotStore,
      key: KEY,
      every: 1,
      codecs: [{ prefix: 'learner-', codec: c as never }],
    });
    for (const written of ['learner/2', 'learner/3']) {
      const streamName = learnerStreamName(randomUUID());
      const run = runOn(streamName);
      const writer = new StreamCommandExecutor(store, { snapshots: settings(version2(written)) });
      await run(writer, recordResearch({ researchId: 'r1' }));
      await writer.idle();
      expect(writer.figures().snapshotsWritten).toBe(1);

      const today = new StreamCommandExecutor(store, { snapshots: settings(codec) });
      // R1: r1 was already recorded: the fold from the log knows it.
      expect((await run(today, recordResearch({ researchId: 'r1' }))).events).toEqual([]);
      expect(today.figures()).toMatchObject({
        snapshotsRead: 0,
        // Under its own version it is not asked for; sealed under today's, its rows are refused.
        snapshotErrors: written === 'learner/2' ? 0 : 1,
      });
    }
  });

  it('passes over a snapshot the ledger did not seal (written or altered in the database): the stream is folded from its events', async () => {
    const snapshotStore = new PostgresSnapshotStore(dataSource);
    const settings: SnapshotSettings = {
      store: snapshotStore,
      key: KEY,
      every: 1,
      codecs: [{ prefix: 'learner-', codec: learnerSnapshotCodec(cipher) as never }],
    };
    const streamName = learnerStreamName(randomUUID());
    const run = runOn(streamName);
    const first = new StreamCommandExecutor(store, { snapshots: settings });
    await run(first, recordResearch({ researchId: 'r1' }));
    await first.idle();
    const stored = (await snapshotStore.load(
      streamName,
      learnerSnapshotCodec(cipher).stateVersion,
    ))!;

    // A superuser's edit: the research forgotten in the snapshot's state (its id, in stream
    // order and among the sorted ids), the seal left as it was.
    const forged = stored.state.replaceAll('\\nr1', '\\nr9');
    expect(forged).not.toBe(stored.state);
    await dataSource.query('UPDATE stream_snapshots SET state = $2 WHERE stream_name = $1', [
      streamName,
      forged,
    ]);
    const afterEdit = new StreamCommandExecutor(store, { snapshots: settings });
    // R1: r1 is known from the log, whatever the snapshot says.
    expect((await run(afterEdit, recordResearch({ researchId: 'r1' }))).events).toEqual([]);
    expect(afterEdit.figures().snapshotsRead).toBe(0);

    // Sealed under another key (a snapshot written by something other than this ledger).
    const other = new StreamCommandExecutor(store, {
      snapshots: { ...settings, key: snapshotKey(Buffer.alloc(32, 8)) },
    });
    await run(other, recordResearch({ researchId: 'r2' }));
    await other.idle();
    const stranger = new StreamCommandExecutor(store, { snapshots: settings });
    expect((await run(stranger, recordResearch({ researchId: 'r2' }))).events).toEqual([]);
    expect(stranger.figures().snapshotsRead).toBe(0);
  });

  it('verifies what a fresh load folds: the whole stream without a snapshot; from one, the events after it, and refuses the command when they fail', async () => {
    const settings: SnapshotSettings = {
      store: new PostgresSnapshotStore(dataSource),
      key: KEY,
      every: 1,
      codecs: [{ prefix: 'learner-', codec: learnerSnapshotCodec(cipher) as never }],
    };
    const streamName = learnerStreamName(randomUUID());
    const run = runOn(streamName);
    const asked: string[] = [];
    class BrokenStream extends Error {}

    // No snapshot yet: the whole stream is verified, and a failure refuses the command.
    const refusingWhole = new StreamCommandExecutor(store, {
      snapshots: settings,
      verifier: {
        assertIntact: (name) => Promise.reject(new BrokenStream(name)),
        assertTailIntact: () => Promise.resolve(),
        verifyInBackground: (name) => void asked.push(`background ${name}`),
      },
    });
    await expect(run(refusingWhole, recordResearch({ researchId: 'r0' }))).rejects.toThrow(
      BrokenStream,
    );
    expect(await store.streamRevision(streamName)).toBeUndefined();

    const first = new StreamCommandExecutor(store, { snapshots: settings });
    await run(first, recordResearch({ researchId: 'r1' }));
    await first.idle();
    await run(new StreamCommandExecutor(store), recordResearch({ researchId: 'r2' }));
    const head = await store.streamRevision(streamName);

    // From the snapshot (after r1): only the event after it (r2) is verified, linked from r1's.
    const refusingTail = new StreamCommandExecutor(store, {
      snapshots: settings,
      verifier: {
        assertIntact: (name) => Promise.resolve(void asked.push(`whole ${name}`)),
        assertTailIntact: (name, anchor, tail) => {
          asked.push(
            `tail ${name} after ${anchor.revision} of ${tail.map((e) => e.revision).join(',')}`,
          );
          return Promise.reject(new BrokenStream(name));
        },
        verifyInBackground: (name) => void asked.push(`background ${name}`),
      },
    });
    await expect(run(refusingTail, recordResearch({ researchId: 'r3' }))).rejects.toThrow(
      BrokenStream,
    );
    expect(asked).toEqual([`tail ${streamName} after 0 of 1`]);
    expect(await store.streamRevision(streamName)).toBe(head);

    // One that finds the tail intact decides from the snapshot, and verifies only on a cache miss.
    asked.length = 0;
    const passing = new StreamCommandExecutor(store, {
      snapshots: settings,
      verifier: {
        assertIntact: (name) => Promise.resolve(void asked.push(`whole ${name}`)),
        assertTailIntact: (name) => Promise.resolve(void asked.push(`tail ${name}`)),
        verifyInBackground: (name) => void asked.push(`background ${name}`),
      },
    });
    expect((await run(passing, recordResearch({ researchId: 'r2' }))).events).toEqual([]);
    // The whole stream's pass starts once the command that loaded it was decided, not before.
    expect(asked).toEqual([`tail ${streamName}`, `background ${streamName}`]);
    await run(passing, recordResearch({ researchId: 'r3' }));
    await passing.idle();
    expect(passing.figures().snapshotsRead).toBe(1);
    expect(asked).toEqual([`tail ${streamName}`, `background ${streamName}`]);
  });
});

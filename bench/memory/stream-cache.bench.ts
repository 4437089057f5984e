/**
 * bench/memory: what the command executor's cache of folded learner streams really holds on
 * the heap, against the estimate it bounds itself by (LEDGER_STREAM_CACHE_MB). Learners get
 * research and answer commands in turn, as bench/commands sends them; the heap is measured
 * after a full collection with the streams cached, then with them forgotten.
 * Run: npm run bench:memory (node --expose-gc)
 */
import { randomUUID } from 'node:crypto';
import { learnerDecider, type DecisionContext, type LearnerCommand } from '@ledger/domain';
import { textTable } from '../support/figures';
import { learnerProfile } from '../support/ledger-count';
import type { EventStore, EventToAppend, JsonObject, RecordedEvent } from '@ledger/event-store';
import {
  learnerEventCodec,
  StreamCommandExecutor,
  streamStateWeights,
  type PersonalDataCipher,
} from '@ledger/ledger';

/** Streams held in memory: only what the executor calls (append, readStream). */
function memoryStore(): EventStore {
  const streams = new Map<string, RecordedEvent[]>();
  let position = 0n;
  const store: Partial<EventStore> = {
    append: async (streamName: string, events: readonly EventToAppend[]) => {
      const stream = streams.get(streamName) ?? [];
      streams.set(streamName, stream);
      for (const event of events) {
        position += 1n;
        stream.push({
          ...event,
          data: JSON.parse(JSON.stringify(event.data)) as JsonObject,
          streamName,
          metadata: JSON.parse(JSON.stringify(event.metadata)) as JsonObject,
          revision: BigInt(stream.length),
          position,
          recordedAt: new Date(),
        } as unknown as RecordedEvent);
      }
      return { nextRevision: BigInt(stream.length - 1), position };
    },
    readStream: async (
      streamName: string,
      options?: { fromRevision?: bigint; maxCount?: number },
    ) => {
      const from = Number(options?.fromRevision ?? 0n);
      // Copies, as a database gives them: nothing the cache keeps is shared with the store.
      return (streams.get(streamName) ?? [])
        .slice(from, from + (options?.maxCount ?? 1000))
        .map((e) => ({
          ...e,
          id: `${e.id}`.slice(0),
          data: JSON.parse(JSON.stringify(e.data)) as JsonObject,
          metadata: JSON.parse(JSON.stringify(e.metadata)) as RecordedEvent['metadata'],
        }));
    },
  };
  return store as EventStore;
}

// Personal data "encrypted" as its JSON: the cache holds what decrypting gives back.
const cipher = {
  encrypt: async (_learnerId: string, value: unknown) => JSON.stringify(value),
  decrypt: async (_learnerId: string, text: string) => JSON.parse(text) as unknown,
} as unknown as PersonalDataCipher;
const codec = learnerEventCodec(cipher);

/** What each learner is sent, a round at a time: `answer` is right two times in three. */
type Kind = 'research' | 'answer' | 'wrong' | 'profile' | 'consent' | 'claim';

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

export async function runStreamCacheBench(): Promise<void> {
  const learners = Number(process.env.BENCH_LEARNERS ?? 2000);
  const rows: string[][] = [['then', 'commands', 'heap B/stream', 'estimate B/stream', 'off by']];
  const executor = new StreamCommandExecutor(memoryStore(), {
    cacheBytes: 1024 * 1024 * 1024,
    cacheSize: 1_000_000,
    stateBytes: streamStateWeights,
  });
  const now = new Date();
  const context = (): DecisionContext => ({
    now,
    timeZone: 'UTC',
    maxClockSkewMs: 300_000,
    maxBackdateMs: 30 * 86_400_000,
  });
  let sequence = 0;
  const command = (kind: Kind, learner: number): LearnerCommand => {
    sequence += 1;
    const occurredAt = new Date(now.getTime() - 60_000);
    if (kind === 'profile')
      return {
        type: 'UpdateProfile',
        data: { ...learnerProfile(learner, true), clinicalRole: 'physician', occurredAt },
      };
    if (kind === 'consent')
      return { type: 'RecordDataSharingConsent', data: { consent: 'granted', occurredAt } };
    if (kind === 'claim')
      return {
        type: 'ClaimCredits',
        data: { claimId: randomUUID(), activity: 'nejm-board-review', occurredAt },
      };
    return kind === 'research'
      ? { type: 'RecordResearch', data: { researchId: `r-${sequence}`, occurredAt } }
      : {
          type: 'RecordAnswer',
          data: {
            questionId: `q-${sequence}`,
            correct: kind === 'answer' && sequence % 3 !== 0,
            occurredAt,
          },
        };
  };
  const plan = (process.env.BENCH_PLAN ?? 'research:6,answer:6,research:12')
    .split(',')
    .map((step) => step.split(':') as [Kind, string]);
  for (const [kind, roundsText] of plan) {
    const rounds = Number(roundsText);
    for (let round = 0; round < rounds; round++)
      for (let l = 0; l < learners; l++)
        await executor.execute({
          streamName: `learner-bench-${l}`,
          decider: learnerDecider,
          codec,
          command: command(kind, l),
          context,
          metadata: { actor: 'bench', correlationId: randomUUID(), commandId: randomUUID() },
        });
    const cached = heapAfterGc();
    const estimate = executor.figures().bytes;
    for (let l = 0; l < learners; l++) executor.forget(`learner-bench-${l}`);
    const actual = cached - heapAfterGc();
    const events = sequence / learners; // commands sent to each learner so far
    rows.push([
      `${kind}:${rounds}`,
      events.toFixed(0),
      (actual / learners).toFixed(0),
      (estimate / learners).toFixed(0),
      `${((estimate / actual - 1) * 100).toFixed(0)}%`,
    ]);
  }
  process.stdout.write(
    `\nbench/memory: folded learner streams in the command executor's cache, ${learners} learners, ` +
      `Node ${process.version}\n${textTable(rows, [1, 2, 3, 4])}\n`,
  );
}

if (require.main === module) {
  runStreamCacheBench().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}

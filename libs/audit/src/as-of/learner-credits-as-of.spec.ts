import { boardSubmissionId } from '@ledger/domain';
import type {
  EventStore,
  JsonObject,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
} from '@ledger/event-store';
import { InvalidAsOfError, learnerCreditsAsOf, parseAsOf } from './learner-credits-as-of';

const CLAIM = '0f8e2d4c-1b3a-4c5d-8e9f-a0b1c2d3e4f5';
const SUBMISSION = boardSubmissionId(CLAIM, 'ABIM');

/** An in-memory log: events appended in order, each at a recorded-at and position of its own. */
function memoryStore() {
  const log: RecordedEvent[] = [];
  const store: Pick<EventStore, 'readStream' | 'readAll'> = {
    async readStream(
      streamName: string,
      { fromRevision = 0n, maxCount = 1000 }: ReadStreamOptions = {},
    ) {
      return log
        .filter((e) => e.streamName === streamName && e.revision >= fromRevision)
        .slice(0, maxCount);
    },
    async readAll({ after = 0n, maxCount = 1000 }: ReadAllOptions = {}) {
      return log.filter((e) => e.position > after).slice(0, maxCount);
    },
  };
  const append = (streamName: string, type: string, data: JsonObject, recordedAt: string) => {
    const revision = BigInt(log.filter((e) => e.streamName === streamName).length);
    const e: RecordedEvent = {
      streamName,
      id: `${streamName}/${revision}`,
      type,
      schemaVersion: 1,
      data,
      metadata: { actor: 'test', correlationId: 'c', causationId: 'k' },
      revision,
      position: BigInt(log.length + 1) * 100n,
      recordedAt: new Date(recordedAt),
      hash: '0'.repeat(64),
    };
    log.push(e);
    return e;
  };
  return { store, append };
}

const ref = { submissionId: SUBMISSION, learnerId: 'ada', claimId: CLAIM, board: 'ABIM' };

function history() {
  const { store, append } = memoryStore();
  const learner = 'learner-ada';
  append(
    learner,
    'LearnerProfileUpdated',
    {
      occurredAt: '2023-01-01T00:00:00.000Z',
      profileVersion: 1,
      clinicalRole: 'physician',
      country: 'US',
      boards: ['ABIM'],
      licenseStates: ['CA'],
      personalEncrypted: 'pd1.not-decrypted-by-replay',
    },
    '2023-01-01T00:00:00.000Z',
  );
  const old = append(
    learner,
    'QuestionResearched',
    {
      researchId: 'r-2023',
      occurredAt: '2023-06-01T00:00:00.000Z',
      earnedYear: 2023,
      twelfths: '6',
    },
    '2023-06-01T00:00:01.000Z',
  );
  for (const [i, q] of ['q1', 'q2', 'q3', 'q4', 'q5'].entries()) {
    append(
      learner,
      'AnswerCorrect',
      { questionId: q, occurredAt: '2026-03-01T00:00:00.000Z', earnedYear: 2026, twelfths: '2' },
      `2026-03-01T00:00:0${i}.000Z`,
    );
  }
  const claim = append(
    learner,
    'CreditClaimed',
    {
      claimId: CLAIM,
      activity: 'nejm-board-review',
      occurredAt: '2026-03-02T00:00:00.000Z',
      twelfths: '9',
      breakdown: [{ earnedYear: 2026, twelfths: '9', claimDeadline: '2028-12-31' }],
      boards: ['ABIM'],
      clinicalRole: 'physician',
      certificate: 'ama-pra-category-1',
      profileVersion: 1,
    },
    '2026-03-02T00:00:00.000Z',
  );
  append(
    `board-submission-${SUBMISSION}`,
    'BoardSubmissionRequested',
    {
      ...ref,
      activity: 'nejm-board-review',
      twelfths: '9',
      claimedAt: '2026-03-02T00:00:00.000Z',
      occurredAt: '2026-03-02T00:00:00.000Z',
      attempt: 1,
    },
    '2026-03-02T00:00:01.000Z',
  );
  const accepted = append(
    `board-submission-${SUBMISSION}`,
    'BoardSubmissionSucceeded',
    { ...ref, occurredAt: '2026-03-02T00:05:00.000Z', attempt: 1 },
    '2026-03-02T00:05:00.000Z',
  );
  return { store, old, claim, accepted };
}

const asOf = (store: Pick<EventStore, 'readStream' | 'readAll'>, text: string) =>
  learnerCreditsAsOf(store, 'ada', parseAsOf(text), {
    timeZone: 'UTC',
    now: () => new Date('2026-11-28T12:00:00Z'),
  });

const amount = (credits: string, twelfths: number) => ({ credits, twelfths });

describe('as-of replay of a learner', () => {
  describe('parseAsOf', () => {
    it('reads digits as a position and an instant with a zone as an instant', () => {
      expect(parseAsOf('1042')).toEqual({ kind: 'position', position: 1042n });
      expect(parseAsOf('2026-03-14T09:30:00+01:00')).toEqual({
        kind: 'instant',
        at: new Date('2026-03-14T08:30:00Z'),
      });
    });

    it.each(['', 'yesterday', '2026-03-14', '2026-03-14T09:30:00', '-5', '99999999999999999999'])(
      'refuses %j',
      (text) => {
        expect(() => parseAsOf(text)).toThrow(InvalidAsOfError);
      },
    );
  });

  it('before the claim: earned but not claimed, nothing accepted by a board', async () => {
    const { store } = history();
    const view = await asOf(store, '2026-03-01T12:00:00Z');
    expect(view.activities['nejm-board-review']).toEqual({
      earned: amount('0.75', 10),
      claimed: amount('0.00', 0),
      unclaimed: amount('0.75', 10),
      expired: amount('0.00', 0),
    });
    expect(view.mocPoints).toEqual({ total: amount('0.00', 0), byBoard: {} });
    expect(view.replay).toEqual({ mode: 'instant', events: 7, streams: 1 });
  });

  it('R5: credit earned in 2023 is unclaimed until the end of 2025 and expired from 2026 on', async () => {
    const { store } = history();
    expect((await asOf(store, '2025-12-31T23:59:59Z')).activities.ipoc.unclaimed).toEqual(
      amount('0.50', 6),
    );
    const in2026 = await asOf(store, '2026-01-01T00:00:00Z');
    expect(in2026.activities.ipoc.unclaimed).toEqual(amount('0.00', 0));
    expect(in2026.activities.ipoc.expired).toEqual(amount('0.50', 6));
  });

  it('after the board accepted: claimed, MOC points and non-US equivalents (R12, R13)', async () => {
    const { store, accepted } = history();
    const view = await asOf(store, accepted.recordedAt.toISOString());
    expect(view.activities['nejm-board-review']).toEqual({
      earned: amount('0.75', 10),
      claimed: amount('0.75', 9),
      unclaimed: amount('0.00', 1),
      expired: amount('0.00', 0),
    });
    expect(view.mocPoints).toEqual({
      total: amount('0.75', 9),
      byBoard: { ABIM: amount('0.75', 9) },
    });
    expect(view.nonUsEquivalents.ecmec).toEqual(amount('0.75', 9));
    expect(view.position).toBe(accepted.position.toString());
    expect(view.replay).toEqual({ mode: 'instant', events: 10, streams: 2 });
  });

  it('at a position: the events at or below it, expiry judged when that event was recorded', async () => {
    const { store, claim, old } = history();
    const atClaim = await asOf(store, claim.position.toString());
    expect(atClaim.position).toBe(claim.position.toString());
    expect(atClaim.asOf).toBe(claim.recordedAt.toISOString());
    expect(atClaim.activities['nejm-board-review'].claimed).toEqual(amount('0.75', 9));
    expect(atClaim.mocPoints.total).toEqual(amount('0.00', 0));
    const atOld = await asOf(store, old.position.toString());
    expect(atOld.activities.ipoc.unclaimed).toEqual(amount('0.50', 6));
    expect(atOld.activities['nejm-board-review'].earned).toEqual(amount('0.00', 0));
  });

  it('a learner with no history has zero balances', async () => {
    const { store } = history();
    const view = await learnerCreditsAsOf(store, 'nobody', parseAsOf('2026-11-01T00:00:00Z'), {
      timeZone: 'UTC',
      now: () => new Date(),
    });
    expect(view.activities.ipoc.earned).toEqual(amount('0.00', 0));
    expect(view.replay.events).toBe(0);
  });
});

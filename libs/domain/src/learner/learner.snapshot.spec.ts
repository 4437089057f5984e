import { createHash } from 'node:crypto';
import {
  answerCorrect,
  answerIncorrect,
  dataSharingConsentGranted,
  learnerBoardIdentityChecked,
  learnerProfileUpdated,
  personalDataErased,
  questionResearched,
} from '../testing/learner.builders';
import { decideLearner, foldLearner } from './learner.decider';
import {
  LEARNER_STATE_VERSION,
  learnerSnapshotOf,
  learnerStateFromSnapshot,
} from './learner.snapshot';
import { testDecisionContext } from '../testing/fixed-clock';

const history = () => {
  const facts = [
    learnerProfileUpdated({ boards: ['ABIM', 'ABP'] }),
    dataSharingConsentGranted(),
    learnerBoardIdentityChecked(),
    learnerBoardIdentityChecked({ board: 'ABP', outcome: 'mismatched', reason: 'unknown ABP ID' }),
    questionResearched({ researchId: 'r1' }),
    answerCorrect({ questionId: 'q1' }),
    answerIncorrect({ questionId: 'q2' }),
    answerCorrect({ questionId: 'q3' }),
  ];
  const state = foldLearner(facts);
  const claim = decideLearner(
    {
      type: 'ClaimCredits',
      data: { claimId: 'c1', activity: 'ipoc', occurredAt: new Date('2025-06-10T08:00:00Z') },
    },
    state,
    testDecisionContext(),
  );
  return [...facts, ...claim];
};

describe('learner snapshot (a cache of the fold)', () => {
  it('gives back the state it was made from: profile, consent, board checks, facts, redeemed parts and claims with their identity', () => {
    const state = foldLearner(history());
    expect(state.claims.size).toBe(1);
    expect(state.consent?.status).toBe('granted');
    expect(state.identityChecks.size).toBe(2);
    expect(state.redeemed.size).toBeGreaterThan(0);
    const back = learnerStateFromSnapshot(JSON.parse(JSON.stringify(learnerSnapshotOf(state))));
    expect(back).toEqual(state);
    // Folding on from the snapshot is folding on from the state.
    const more = [answerCorrect({ questionId: 'q9' }), personalDataErased()];
    expect(foldLearner(more, back)).toEqual(foldLearner(more, state));
  });

  it('keeps a long learner compact: alike facts and what a claim redeemed of them are runs, and come back the same', () => {
    const answers = Array.from({ length: 1_800 }, (_, i) =>
      answerCorrect({ questionId: `q${i}`, occurredAt: '2025-06-01T10:00:00.000Z' }),
    );
    const before = foldLearner([learnerProfileUpdated(), ...answers]);
    const claim = decideLearner(
      {
        type: 'ClaimCredits',
        data: {
          claimId: 'c1',
          activity: 'nejm-board-review',
          occurredAt: new Date('2025-06-10T08:00:00Z'),
        },
      },
      before,
      testDecisionContext(),
    );
    const state = foldLearner(claim, before);
    expect(state.redeemed.size).toBe(1_800);
    const { state: kept } = learnerSnapshotOf(state);
    expect(kept.earned.runs).toEqual([1, 2025, '2', 1_800]);
    expect(kept.earned.at).toEqual([Date.parse('2025-06-01T10:00:00Z'), 1, 0, 1_799]);
    expect(kept.redeemed).toEqual([1, '2', 1_800]);
    const back = learnerStateFromSnapshot(
      JSON.parse(JSON.stringify(learnerSnapshotOf(state))) as ReturnType<typeof learnerSnapshotOf>,
    );
    expect(back).toEqual(state);
    expect(back.earned.has('nejm-board-review', 'q1799')).toBe(true);
    expect(back.earned.has('ipoc', 'q1799')).toBe(false);
  });

  it('keeps personal data apart, for the infrastructure to encrypt', () => {
    const { state, personal } = learnerSnapshotOf(foldLearner(history()));
    expect(personal.length).toBe(2); // the profile's and the claim's identity
    expect(JSON.stringify(state)).not.toContain('Quinn');
  });

  it(`has the shape of state version ${LEARNER_STATE_VERSION}: change the shape, bump LEARNER_STATE_VERSION and this digest`, () => {
    const text = JSON.stringify(learnerSnapshotOf(foldLearner(history())));
    expect({
      version: LEARNER_STATE_VERSION,
      digest: createHash('sha256').update(text).digest('hex').slice(0, 16),
    }).toEqual({ version: 3, digest: 'cacd7cee91d6437a' });
  });
});

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
    }).toEqual({ version: 2, digest: 'c984f4211219b59a' });
  });
});

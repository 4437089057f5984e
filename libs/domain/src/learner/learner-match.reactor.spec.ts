import { deepStrictEqual } from 'node:assert/strict';
import { uuidV5 } from '../deterministic-id';
import { at, TEST_NOW } from '../testing/fixed-clock';
import {
  learnerBoardIdentityChecked,
  learnerProfileUpdated,
  personalData,
  personalDataErased,
} from '../testing/learner.builders';
import { foldLearner } from './learner.decider';
import type { LearnerEvent } from './learner.events';
import {
  boardIdentityStatus,
  LEARNER_MATCH_PROCESS_NAMESPACE,
  reactToLearnerMatch,
  type LearnerMatchTrigger,
  type MatchAtBoard,
} from './learner-match.reactor';

const given = (events: readonly LearnerEvent[]) => ({
  when: (trigger: LearnerMatchTrigger) =>
    reactToLearnerMatch(trigger, foldLearner(events), { now: TEST_NOW }),
});

const identity = personalData({ boardIds: { ABIM: '123456', ABP: '654321' } });
const profile = learnerProfileUpdated({ boards: ['ABIM', 'ABP'], personal: identity });
const updated = (profileVersion = 1): LearnerMatchTrigger => ({
  type: 'ProfileUpdated',
  eventId: 'event-profile',
  learnerId: 'learner-1',
  profileVersion,
});
const matchAt = (board: string, overrides: Partial<MatchAtBoard> = {}): MatchAtBoard => ({
  type: 'MatchAtBoard',
  causationId: 'event-profile',
  learnerId: 'learner-1',
  board,
  profileVersion: 1,
  identity,
  ...overrides,
});

describe('learner match reactor (R16)', () => {
  it('R16: a profile that selects boards is checked at each of them, with its identity', () => {
    deepStrictEqual(given([profile]).when(updated()), [matchAt('ABIM'), matchAt('ABP')]);
  });

  it('R16: a profile superseded since, or erased, is not checked (the newer version is)', () => {
    deepStrictEqual(
      given([profile, learnerProfileUpdated({ profileVersion: 2 })]).when(updated(1)),
      [],
    );
    deepStrictEqual(given([profile, personalDataErased()]).when(updated()), []);
  });

  it('R16: a board already answered for this version is not asked again (a redelivered event)', () => {
    deepStrictEqual(given([profile, learnerBoardIdentityChecked()]).when(updated()), [
      matchAt('ABP'),
    ]);
  });

  it('R16: a board whose fields the profile lacks is not asked (the claim says what is missing)', () => {
    const noAbpId = learnerProfileUpdated({
      boards: ['ABIM', 'ABP'],
      personal: personalData({ boardIds: { ABIM: '123456' } }),
    });
    deepStrictEqual(given([noAbpId]).when(updated()), [
      matchAt('ABIM', { identity: personalData({ boardIds: { ABIM: '123456' } }) }),
    ]);
  });

  it("R16: the board's answer is recorded in the learner's stream, with an id derived from its cause", () => {
    deepStrictEqual(
      given([profile]).when({
        type: 'BoardMatched',
        call: matchAt('ABP'),
        answer: { outcome: 'mismatched', reason: 'ABP has no learner with that ABP ID' },
      }),
      [
        {
          type: 'SendLearnerCommand',
          learnerId: 'learner-1',
          commandId: uuidV5('match/event-profile/ABP', LEARNER_MATCH_PROCESS_NAMESPACE),
          command: {
            type: 'RecordBoardIdentityCheck',
            data: {
              board: 'ABP',
              profileVersion: 1,
              outcome: 'mismatched',
              reason: 'ABP has no learner with that ABP ID',
              occurredAt: TEST_NOW,
            },
          },
        },
      ],
    );
  });

  describe('how a selected board reads on the profile', () => {
    it('R16: verified; a mismatch with its reason; not checked yet', () => {
      const state = foldLearner([
        profile,
        learnerBoardIdentityChecked({ occurredAt: '2025-01-10T09:00:05.000Z' }),
        learnerBoardIdentityChecked({
          board: 'ABP',
          outcome: 'mismatched',
          reason: 'unknown ABP ID',
        }),
      ]);
      expect(boardIdentityStatus(state, 'ABIM')).toEqual({
        status: 'verified',
        checkedAt: at('2025-01-10T09:00:05.000Z'),
      });
      expect(boardIdentityStatus(state, 'ABP')).toMatchObject({
        status: 'mismatch',
        reason: 'unknown ABP ID',
      });
      expect(boardIdentityStatus(foldLearner([profile]), 'ABIM')).toMatchObject({
        status: 'not-checked',
      });
    });

    it('R16: a check of an older profile version no longer counts: the new version is not checked yet', () => {
      const state = foldLearner([
        profile,
        learnerBoardIdentityChecked(),
        learnerProfileUpdated({ profileVersion: 2, boards: ['ABIM', 'ABP'], personal: identity }),
      ]);
      expect(boardIdentityStatus(state, 'ABIM').status).toBe('not-checked');
    });

    it('R16: a board whose fields the profile lacks is not checked, and says what is missing', () => {
      const state = foldLearner([
        learnerProfileUpdated({ boards: ['ABIM'], personal: personalData({ boardIds: {} }) }),
      ]);
      expect(boardIdentityStatus(state, 'ABIM')).toEqual({
        status: 'not-checked',
        reason: 'ABIM needs your ABIM ID (6 digits) in your CME profile',
      });
    });
  });
});

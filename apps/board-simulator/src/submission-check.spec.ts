import { findBoard, type BoardCatalogueEntry } from '@ledger/domain';
import { boardSimulatorOptionsFromEnv } from './board-simulator';
import { checkSubmission, parseSubmission, type ReceivedSubmission } from './submission-check';

const board = (code: string): BoardCatalogueEntry => {
  const entry = findBoard(code);
  if (entry === undefined) throw new Error(`${code} is not in the catalogue`);
  return entry;
};

const received = (overrides: Partial<ReceivedSubmission> = {}): ReceivedSubmission => ({
  submissionId: 's-1',
  board: 'WA-WMC',
  attempt: 1,
  learner: { firstName: 'Ada', lastName: 'Quinn', birthMonth: 2, birthDay: 29, licenses: [] },
  activity: 'nejm-board-review',
  twelfths: '9',
  credits: '0.75',
  completedAt: '2026-01-05T08:00:00Z',
  ...overrides,
});

const nobodyUnknown = { unknownLearnerIds: new Set<string>() };

describe('checkSubmission', () => {
  it('lets a state board match the learner by NPI when no license of its state is given', () => {
    const submission = received({ learner: { ...received().learner, npi: '1234567893' } });

    expect(checkSubmission(board('WA-WMC'), submission, nobodyUnknown)).toBeUndefined();
  });

  it('refuses a state board learner whose NPI the board does not know, naming the NPI', () => {
    const submission = received({ learner: { ...received().learner, npi: '1234567893' } });

    expect(
      checkSubmission(board('WA-WMC'), submission, { unknownLearnerIds: new Set(['1234567893']) }),
    ).toBe(
      'WA-WMC could not match the learner: no record with that NPI, name and date of birth; ' +
        'check them in the CME profile, then retry',
    );
  });

  it('asks a certifying board learner for the board id, whatever licenses they hold', () => {
    const submission = received({
      board: 'ABP',
      learner: { ...received().learner, licenses: [{ state: 'CA', licenseNumber: 'A1' }] },
    });

    expect(checkSubmission(board('ABP'), submission, nobodyUnknown)).toBe(
      'ABP needs a valid ABP ID (6 digits); correct the CME profile, then retry',
    );
  });

  it('reads the activity date in UTC against the date a board takes credit from', () => {
    const onTheDay = received({ board: 'ABPMR', completedAt: '2025-01-01T00:30:00+00:00' });
    const learner = { ...onTheDay.learner, learnerBoardId: '4321' };

    expect(
      checkSubmission(board('ABPMR'), { ...onTheDay, learner }, nobodyUnknown),
    ).toBeUndefined();
  });
});

describe('parseSubmission', () => {
  it('names every malformed field', () => {
    const parsed = parseSubmission({ ...received(), attempt: 0, activity: 'reading', learner: [] });

    expect(parsed).toEqual({
      ok: false,
      reason:
        "invalid submission: attempt must be a whole number from 1; activity must be 'ipoc' or " +
        "'nejm-board-review'; learner must be an object",
    });
  });

  it('keeps the identity fields that are there and leaves out those that are not', () => {
    const parsed = parseSubmission({ ...received(), learner: { firstName: 'Ada', npi: null } });

    expect(parsed).toEqual({ ok: true, value: { ...received(), learner: { firstName: 'Ada' } } });
  });
});

describe('boardSimulatorOptionsFromEnv', () => {
  it('reads the port, host, confirmation delay and unknown learner ids', () => {
    expect(
      boardSimulatorOptionsFromEnv({
        BOARD_SIMULATOR_PORT: '4999',
        BOARD_SIMULATOR_HOST: '0.0.0.0',
        BOARD_CONFIRM_AFTER_MS: '2000',
        BOARD_UNKNOWN_LEARNER_IDS: '111111, 222222,',
      }),
    ).toEqual({
      port: 4999,
      host: '0.0.0.0',
      confirmAfterMs: 2000,
      unknownLearnerIds: ['111111', '222222'],
    });
  });

  it('defaults to 127.0.0.1:4010 and a day', () => {
    expect(boardSimulatorOptionsFromEnv({})).toEqual({
      port: 4010,
      host: '127.0.0.1',
      confirmAfterMs: 86_400_000,
      unknownLearnerIds: [],
    });
  });

  it('refuses a port that is not a number', () => {
    expect(() => boardSimulatorOptionsFromEnv({ BOARD_SIMULATOR_PORT: 'http' })).toThrow(
      RangeError,
    );
  });
});

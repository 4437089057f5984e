import {
  BOARD_CATALOGUE,
  boardTakesCredit,
  findBoard,
  isLearnerBoardIdValid,
} from './board-catalogue';

describe('R10: the board catalogue', () => {
  const certifying = BOARD_CATALOGUE.filter((b) => b.kind === 'certifying');
  const state = BOARD_CATALOGUE.filter((b) => b.kind === 'state');

  it('R10: lists exactly the certifying boards that take direct credit reporting, each awarding MOC', () => {
    expect(certifying.map((b) => b.code).sort()).toEqual(
      ['ABA', 'ABIM', 'ABOHNS', 'ABOS', 'ABP', 'ABPMR', 'ABPath', 'ABS', 'ABTS'].sort(),
    );
    expect(certifying.every((b) => b.awardsMoc)).toBe(true);
  });

  it('R10: lists state medical boards that take reported data, each tied to a state and awarding no MOC', () => {
    expect(state.length).toBeGreaterThan(0);
    for (const board of state) {
      expect(board.state).toMatch(/^[A-Z]{2}$/);
      expect(board.awardsMoc).toBe(false);
      expect(board.requiredFields).toContain('licenseOrNpi');
    }
  });

  it('R10: every entry says which fields it needs to match a learner', () => {
    for (const board of BOARD_CATALOGUE) {
      expect(board.requiredFields).toEqual(
        expect.arrayContaining(['firstName', 'lastName', 'birthMonth', 'birthDay']),
      );
      expect(board.learnerBoardId.description.length).toBeGreaterThan(0);
    }
    expect(new Set(BOARD_CATALOGUE.map((b) => b.code)).size).toBe(BOARD_CATALOGUE.length);
  });

  it('R10: ABPMR takes credit from 1 January 2025 only', () => {
    const abpmr = findBoard('ABPMR');
    expect(abpmr?.acceptsActivitiesFrom).toBe('2025-01-01');
    expect(abpmr && boardTakesCredit(abpmr, 'ipoc', '2024-12-31')).toBe(false);
    expect(abpmr && boardTakesCredit(abpmr, 'ipoc', '2025-01-01')).toBe(true);
    const abim = findBoard('ABIM');
    expect(abim && boardTakesCredit(abim, 'nejm-board-review', '2015-01-01')).toBe(true);
  });

  it('R10: a board outside the catalogue is not found (its learners download a PDF certificate)', () => {
    expect(findBoard('ABFM')).toBeUndefined();
    expect(findBoard('abim')).toBeUndefined();
  });

  it('R16: checks the learner id format of a board', () => {
    const abim = findBoard('ABIM');
    if (abim === undefined) throw new Error('ABIM missing from the catalogue');
    expect(isLearnerBoardIdValid(abim, '123456')).toBe(true);
    expect(isLearnerBoardIdValid(abim, '12345')).toBe(false);
    expect(isLearnerBoardIdValid(abim, '12345a')).toBe(false);
    expect(abim.learnerBoardId.description).toBe('ABIM ID (6 digits)');
  });
});

import { findBoard, isLearnerBoardIdValid, type BoardField } from '../boards/board-catalogue';
import type { PersonalData } from '../learner/learner.events';
import { isPossibleBirthDate } from '../learner/profile-validation';

/**
 * R16: what the identity a submission sends lacks for a board (the claim's snapshot for the
 * first attempt, the current profile for a retry), each as a reason the learner can act on.
 * Empty when the submission can go ahead. The board submission process passes them as
 * `profileGaps`, so that the submission fails at once instead of being lost.
 */
export function missingBoardFields(
  boardCode: string,
  profile: { readonly personal: PersonalData | undefined } | undefined,
): string[] {
  const board = findBoard(boardCode);
  if (board === undefined) {
    return [
      `${boardCode} does not take direct credit reporting; download the PDF certificate for it instead`,
    ];
  }
  if (profile === undefined) {
    return [`${board.code} needs your CME profile: fill it in, then retry the submission`];
  }
  const personal = profile.personal;
  if (personal === undefined) {
    return [
      `personal data was erased: ${board.code} needs your name, day and month of birth and your ` +
        `${board.learnerBoardId.description}; enter them in your CME profile again, then retry`,
    ];
  }
  const learnerBoardId = personal.boardIds[board.code] ?? '';
  const reasonFor = (field: BoardField): string | undefined => {
    switch (field) {
      case 'firstName':
        return personal.firstName.trim() === ''
          ? `${board.code} needs your first name in your CME profile`
          : undefined;
      case 'lastName':
        return personal.lastName.trim() === ''
          ? `${board.code} needs your last name in your CME profile`
          : undefined;
      case 'birthMonth':
      case 'birthDay':
        return isPossibleBirthDate(personal.birthMonth, personal.birthDay)
          ? undefined
          : `${board.code} needs your month and day of birth in your CME profile`;
      case 'learnerBoardId':
        if (learnerBoardId === '') {
          return `${board.code} needs your ${board.learnerBoardId.description} in your CME profile`;
        }
        return isLearnerBoardIdValid(board, learnerBoardId)
          ? undefined
          : `${board.code} needs a valid ${board.learnerBoardId.description} in your CME profile`;
      case 'licenseOrNpi': {
        const hasLicense =
          (learnerBoardId !== '' && isLearnerBoardIdValid(board, learnerBoardId)) ||
          personal.licenses.some((license) => license.state === board.state);
        const hasNpi = personal.npi !== undefined && personal.npi !== '';
        return hasLicense || hasNpi
          ? undefined
          : `${board.code} needs your ${board.learnerBoardId.description} or your NPI in your CME profile`;
      }
      default: {
        const _unknownField: never = field;
        return undefined;
      }
    }
  };
  const reasons = board.requiredFields.map(reasonFor).filter((r): r is string => r !== undefined);
  return [...new Set(reasons)];
}

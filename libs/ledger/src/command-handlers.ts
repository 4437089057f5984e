import {
  BOARD_SUBMISSION_STEP_HANDLERS,
  CorrectBoardSubmissionHandler,
  RetryBoardSubmissionHandler,
} from './board-submission/board-submission-commands';
import {
  ClaimCreditsHandler,
  ImportHistoryHandler,
  RecordAnswerHandler,
  RecordBoardIdentityCheckHandler,
  RecordDataSharingConsentHandler,
  RecordResearchHandler,
  UpdateProfileHandler,
} from './learner/learner-commands';
import { ErasePersonalDataHandler } from './personal-data/erase-personal-data';

/** Every write of the ledger: one handler per use case, registered with the CommandBus. */
export const LEDGER_COMMAND_HANDLERS = [
  UpdateProfileHandler,
  RecordResearchHandler,
  RecordAnswerHandler,
  ClaimCreditsHandler,
  ImportHistoryHandler,
  ErasePersonalDataHandler,
  RecordDataSharingConsentHandler,
  RecordBoardIdentityCheckHandler,
  RetryBoardSubmissionHandler,
  CorrectBoardSubmissionHandler,
  ...BOARD_SUBMISSION_STEP_HANDLERS,
];

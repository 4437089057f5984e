import type { BoardLearnerIdentity, BoardSubmissionRequest } from '@ledger/boards';
import {
  boardTakesCredit,
  isActivity,
  isInstant,
  isLearnerBoardIdValid,
  isPossibleBirthDate,
  type BoardCatalogueEntry,
  type BoardField,
} from '@ledger/domain';

/**
 * What the simulated board checks in a submission, against the R10 board catalogue. Reasons
 * go back to the ledger, which records them in its log and shows them to the learner: they
 * say what to correct, but never repeat a name, a board id or a license number (personal
 * data never enters the log in clear).
 */

/** A submission as received: the identity fields may be missing (the board says which). */
export type ReceivedSubmission = Omit<BoardSubmissionRequest, 'learner'> & {
  learner: Partial<BoardLearnerIdentity>;
};

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Learner ids a board does not know (R16 rejection), besides those starting with `000`. */
export interface LearnerDirectory {
  unknownLearnerIds: ReadonlySet<string>;
}

const UNKNOWN_PREFIX = '000';
const TWELFTHS = /^[1-9][0-9]*$/;
const CREDITS = /^[0-9]+(\.[0-9]{1,2})?$/;

/** The body's shape (400 when wrong): every offending field is named. */
export function parseSubmission(body: unknown): Parsed<ReceivedSubmission> {
  if (!isObject(body)) return { ok: false, reason: 'the body must be a JSON object' };
  const problems: string[] = [];
  const text = (field: string): string | undefined => {
    const value = body[field];
    if (typeof value === 'string' && value.trim() !== '') return value;
    problems.push(`${field} must be a non-empty string`);
    return undefined;
  };
  const submissionId = text('submissionId');
  const board = text('board');
  const attempt = body['attempt'];
  if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1) {
    problems.push('attempt must be a whole number from 1');
  }
  const activity = body['activity'];
  if (typeof activity !== 'string' || !isActivity(activity)) {
    problems.push("activity must be 'ipoc' or 'nejm-board-review'");
  }
  const twelfths = body['twelfths'];
  if (typeof twelfths !== 'string' || !TWELFTHS.test(twelfths)) {
    problems.push('twelfths must be a positive whole number of twelfths, as a string');
  }
  const credits = body['credits'];
  if (typeof credits !== 'string' || !CREDITS.test(credits)) {
    problems.push("credits must be a decimal string such as '0.75'");
  }
  const completedAt = body['completedAt'];
  if (!isInstant(completedAt)) {
    problems.push('completedAt must be an ISO 8601 instant');
  }
  const learner = parseIdentity(body['learner'], problems);
  if (
    problems.length > 0 ||
    submissionId === undefined ||
    board === undefined ||
    typeof attempt !== 'number' ||
    typeof activity !== 'string' ||
    !isActivity(activity) ||
    typeof twelfths !== 'string' ||
    typeof credits !== 'string' ||
    typeof completedAt !== 'string' ||
    learner === undefined
  ) {
    return { ok: false, reason: `invalid submission: ${problems.join('; ')}` };
  }
  return {
    ok: true,
    value: { submissionId, board, attempt, activity, twelfths, credits, completedAt, learner },
  };
}

function parseIdentity(
  value: unknown,
  problems: string[],
): Partial<BoardLearnerIdentity> | undefined {
  if (!isObject(value)) {
    problems.push('learner must be an object');
    return undefined;
  }
  const identity: Partial<BoardLearnerIdentity> = {};
  for (const field of ['learnerBoardId', 'firstName', 'lastName', 'npi'] as const) {
    const fieldValue = value[field];
    if (fieldValue === undefined || fieldValue === null) continue;
    if (typeof fieldValue === 'string') identity[field] = fieldValue;
    else problems.push(`learner.${field} must be a string`);
  }
  for (const field of ['birthMonth', 'birthDay'] as const) {
    const fieldValue = value[field];
    if (fieldValue === undefined || fieldValue === null) continue;
    if (typeof fieldValue === 'number' && Number.isInteger(fieldValue))
      identity[field] = fieldValue;
    else problems.push(`learner.${field} must be a whole number`);
  }
  const licenses = value['licenses'];
  if (licenses !== undefined && licenses !== null) {
    const valid =
      Array.isArray(licenses) &&
      licenses.every(
        (license: unknown) =>
          isObject(license) &&
          typeof license['state'] === 'string' &&
          typeof license['licenseNumber'] === 'string',
      );
    if (valid) {
      identity.licenses = (licenses as { state: string; licenseNumber: string }[]).map(
        ({ state, licenseNumber }) => ({ state, licenseNumber }),
      );
    } else {
      problems.push('learner.licenses must be a list of { state, licenseNumber }');
    }
  }
  return identity;
}

/**
 * The board's verdict on a well-formed submission (422 with the reason when refused), in the
 * order a board would check: does it take this credit, are the fields it needs there and
 * valid, does it know the learner.
 */
export function checkSubmission(
  board: BoardCatalogueEntry,
  submission: ReceivedSubmission,
  directory: LearnerDirectory,
): string | undefined {
  const completedOn = new Date(Date.parse(submission.completedAt)).toISOString().slice(0, 10);
  if (!boardTakesCredit(board, submission.activity, completedOn)) {
    return board.acceptsActivitiesFrom !== null && completedOn < board.acceptsActivitiesFrom
      ? `${board.code} takes credit only for activities completed from ${board.acceptsActivitiesFrom}`
      : `${board.code} does not take credit for the ${submission.activity} activity`;
  }
  const lacking = [...new Set(board.requiredFields.flatMap((f) => lacks(board, submission, f)))];
  if (lacking.length > 0) {
    return `${board.code} needs ${lacking.join(', ')}; correct the CME profile, then retry`;
  }
  const identifier = matchingIdentifier(board, submission.learner);
  if (
    identifier !== undefined &&
    (identifier.value.startsWith(UNKNOWN_PREFIX) ||
      directory.unknownLearnerIds.has(identifier.value))
  ) {
    return (
      `${board.code} could not match the learner: no record with that ` +
      `${identifier.name}, name and date of birth; ` +
      'check them in the CME profile, then retry'
    );
  }
  return undefined;
}

/** What a field needs, in words the learner can act on, when the submission lacks it. */
function lacks(
  board: BoardCatalogueEntry,
  { learner }: ReceivedSubmission,
  field: BoardField,
): string[] {
  switch (field) {
    case 'firstName':
      return isBlank(learner.firstName) ? ['the first name'] : [];
    case 'lastName':
      return isBlank(learner.lastName) ? ['the last name'] : [];
    case 'birthMonth':
    case 'birthDay':
      return learner.birthMonth !== undefined &&
        learner.birthDay !== undefined &&
        isPossibleBirthDate(learner.birthMonth, learner.birthDay)
        ? []
        : ['a valid month and day of birth'];
    case 'learnerBoardId':
      return learner.learnerBoardId !== undefined &&
        isLearnerBoardIdValid(board, learner.learnerBoardId)
        ? []
        : [`a valid ${board.learnerBoardId.description}`];
    case 'licenseOrNpi':
      return matchingIdentifier(board, learner) === undefined
        ? [`a ${board.learnerBoardId.description} or an NPI`]
        : [];
    default: {
      const unknownField: never = field;
      return [`an unknown field ${String(unknownField)}`];
    }
  }
}

/**
 * The number the board matches the learner by: for a certifying board the learner's id there;
 * for a state board that id (a license number), else a license of its state, else the NPI.
 */
function matchingIdentifier(
  board: BoardCatalogueEntry,
  learner: Partial<BoardLearnerIdentity>,
): { value: string; name: string } | undefined {
  const byBoardId =
    learner.learnerBoardId !== undefined && isLearnerBoardIdValid(board, learner.learnerBoardId)
      ? { value: learner.learnerBoardId, name: board.learnerBoardId.description }
      : undefined;
  if (board.kind === 'certifying') return byBoardId;
  const license = learner.licenses?.find(
    (l) => l.state === board.state && isLearnerBoardIdValid(board, l.licenseNumber),
  );
  const byLicense =
    license === undefined
      ? undefined
      : { value: license.licenseNumber, name: board.learnerBoardId.description };
  const byNpi =
    learner.npi === undefined || isBlank(learner.npi)
      ? undefined
      : { value: learner.npi, name: 'NPI' };
  return byBoardId ?? byLicense ?? byNpi;
}

const isBlank = (value: string | undefined): boolean => value === undefined || value.trim() === '';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

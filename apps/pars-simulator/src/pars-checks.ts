import {
  childNamed,
  childText,
  type ParsCompletion,
  type ParsError,
  type ParsLearnerMatch,
  type XmlElement,
} from '@ledger/boards';

/**
 * What the simulated PARS checks (docs/pars-assumptions.md): the shape of a learner record,
 * the learner match, the reporting window. Messages go back to the ledger, which records them
 * and shows them to the learner: they say what to correct, and never repeat a name, a board id
 * or a license number (personal data never enters the log in clear).
 */

export type Read<T> = { ok: true; value: T } | { ok: false; errors: ParsError[] };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CREDITS = /^\d{1,3}(\.\d{1,2})?$/;
const BOARD_CODES = new Set(['ABA', 'ABIM', 'ABOS', 'ABOHNS', 'ABPath', 'ABP', 'ABS', 'ABTS']);
const STATE = /^[A-Z]{2}$/;

const invalid = (field: string, what: string): ParsError => ({
  code: 'INVALID_FIELD',
  message: `${field} ${what}`,
});

/** A learner identity's fields, with every offending field named. */
function readIdentity(element: XmlElement, errors: ParsError[]): ParsLearnerMatch {
  const text = (name: string, required: boolean): string | undefined => {
    const value = childText(element, name);
    if (value === undefined && required) errors.push(invalid(name, 'is required'));
    return value;
  };
  const whole = (name: string, max: number): number => {
    const value = text(name, true);
    const n = value === undefined ? Number.NaN : Number(value);
    if (value !== undefined && !(Number.isInteger(n) && n >= 1 && n <= max)) {
      errors.push(invalid(name, `must be a whole number from 1 to ${max}`));
    }
    return n;
  };
  const boardId = text('BoardId', true) ?? '';
  if (boardId !== '' && !BOARD_CODES.has(boardId) && !STATE.test(boardId)) {
    errors.push({ code: 'UNKNOWN_BOARD', message: `BoardId ${boardId} is not a PARS board` });
  }
  const identity: ParsLearnerMatch = {
    boardId,
    firstName: text('FirstName', true) ?? '',
    lastName: text('LastName', true) ?? '',
    birthMonth: whole('BirthMonth', 12),
    birthDay: whole('BirthDay', 31),
  };
  for (const [name, key] of [
    ['LearnerBoardId', 'learnerBoardId'],
    ['LicenseState', 'licenseState'],
    ['LicenseNumber', 'licenseNumber'],
    ['NPI', 'npi'],
  ] as const) {
    const value = text(name, false);
    if (value !== undefined) identity[key] = value;
  }
  if (BOARD_CODES.has(boardId) && identity.learnerBoardId === undefined) {
    errors.push(invalid('LearnerBoardId', `is required for ${boardId}`));
  }
  if (STATE.test(boardId) && identity.licenseNumber === undefined && identity.npi === undefined) {
    errors.push(invalid('LicenseNumber', 'or NPI is required for a state board'));
  }
  return identity;
}

export function readLearnerMatch(request: XmlElement): Read<ParsLearnerMatch> {
  const learner = childNamed(request, 'Learner');
  if (learner === undefined) return { ok: false, errors: [invalid('Learner', 'is required')] };
  const errors: ParsError[] = [];
  const value = readIdentity(learner, errors);
  return errors.length === 0 ? { ok: true, value } : { ok: false, errors };
}

export function readCompletion(request: XmlElement): Read<ParsCompletion> {
  const record = childNamed(request, 'LearnerActivity');
  if (record === undefined) {
    return { ok: false, errors: [invalid('LearnerActivity', 'is required')] };
  }
  const errors: ParsError[] = [];
  const identity = readIdentity(record, errors);
  const text = (name: string, pattern?: RegExp, what = ''): string => {
    const value = childText(record, name);
    if (value === undefined) errors.push(invalid(name, 'is required'));
    else if (pattern !== undefined && !pattern.test(value)) errors.push(invalid(name, what));
    return value ?? '';
  };
  const completion: ParsCompletion = {
    ...identity,
    providerRecordId: text('ProviderLearnerRecordId'),
    activityId: text('ActivityId'),
    completionDate: text('CompletionDate', DATE, 'must be a date YYYY-MM-DD'),
    creditType: text('CreditType'),
    credits: text('CreditsEarned', CREDITS, 'must be a decimal such as 1.25'),
  };
  const mocPoints = childText(record, 'MOCPoints');
  const mocType = childText(record, 'MOCType');
  if (mocPoints !== undefined) {
    if (!CREDITS.test(mocPoints))
      errors.push(invalid('MOCPoints', 'must be a decimal such as 1.25'));
    completion.mocPoints = mocPoints;
  }
  if (mocType !== undefined) completion.mocType = mocType;
  if ((mocPoints === undefined) !== (mocType === undefined)) {
    errors.push(invalid('MOCType', 'and MOCPoints go together'));
  }
  return errors.length === 0 ? { ok: true, value: completion } : { ok: false, errors };
}

/** A learner a board knows (POST /admin/learners), matched by name and birth month and day. */
export interface KnownLearner {
  boardId: string;
  /** The board id, or for a state board a license number or NPI. */
  id: string;
  firstName: string;
  lastName: string;
  birthMonth: number;
  birthDay: number;
}

/** The simulated boards' learners (A-15). */
export interface LearnerDirectory {
  known: Map<string, KnownLearner>;
  /** Ids no board knows, besides those starting with `000`. */
  unknownIds: ReadonlySet<string>;
  /** Ids whose records the board rejects when it processes them (delayed, A-3). */
  rejectLaterIds: ReadonlySet<string>;
}

export const directoryKey = (boardId: string, id: string): string => `${boardId}\u0000${id}`;

/** The ids a board matches a learner by: board id, or a license of its state, or the NPI. */
export function matchIds(learner: ParsLearnerMatch): string[] {
  if (BOARD_CODES.has(learner.boardId))
    return learner.learnerBoardId === undefined ? [] : [learner.learnerBoardId];
  const ids: string[] = [];
  if (learner.licenseNumber !== undefined && learner.licenseState === learner.boardId) {
    ids.push(learner.licenseNumber);
  }
  if (learner.npi !== undefined) ids.push(learner.npi);
  return ids;
}

const same = (a: string, b: string): boolean =>
  a.trim().localeCompare(b.trim(), 'en', { sensitivity: 'base' }) === 0;

/**
 * Learner match: the board must know the id; a learner registered with the board
 * must match by last name, first name, birth month and day. Unregistered ids that do not start
 * with `000` are taken as known (the simulator has no real directory).
 */
export function learnerMismatch(
  learner: ParsLearnerMatch,
  directory: LearnerDirectory,
): ParsError | undefined {
  const ids = matchIds(learner);
  const idName = BOARD_CODES.has(learner.boardId)
    ? `${learner.boardId} ID`
    : 'license number or NPI';
  const unknown = (id: string): boolean => id.startsWith('000') || directory.unknownIds.has(id);
  const usable = ids.filter((id) => !unknown(id));
  if (usable.length === 0) {
    return {
      code: 'LEARNER_NOT_FOUND',
      message: `${learner.boardId} has no learner with that ${idName}; check it in the CME profile`,
    };
  }
  const known = usable
    .map((id) => directory.known.get(directoryKey(learner.boardId, id)))
    .find((entry) => entry !== undefined);
  if (known === undefined) return undefined;
  const differs: string[] = [];
  if (!same(known.lastName, learner.lastName)) differs.push('last name');
  if (!same(known.firstName, learner.firstName)) differs.push('first name');
  if (known.birthMonth !== learner.birthMonth || known.birthDay !== learner.birthDay) {
    differs.push('month and day of birth');
  }
  if (differs.length === 0) return undefined;
  return {
    code: 'LEARNER_MISMATCH',
    message: `${learner.boardId} knows that ${idName} with another ${differs.join(' and ')}; correct the CME profile`,
  };
}

/**
 * PARS takes a year's completions until 31 March of the following year (in its time
 * zone; the simulator compares calendar dates). Undefined when the window is open.
 */
export function reportingWindowError(completionDate: string, today: string): ParsError | undefined {
  if (completionDate > today) {
    return {
      code: 'FUTURE_COMPLETION',
      message: `CompletionDate ${completionDate} is in the future`,
    };
  }
  const year = Number(completionDate.slice(0, 4));
  const closes = `${year + 1}-03-31`;
  if (today <= closes) return undefined;
  return {
    code: 'REPORTING_WINDOW_CLOSED',
    message: `completions of ${year} were reportable until ${closes}; this credit can no longer be reported`,
  };
}

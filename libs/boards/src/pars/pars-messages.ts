import { findBoard, PARS_TIME_ZONE } from '@ledger/domain';
import type { BoardLearnerIdentity, BoardSubmissionRequest } from '../board-gateway.port';
import { PARS_ACTIVITIES, parsBoardCode, type ParsActivityConfig } from './pars-activities';
import {
  childNamed,
  childrenNamed,
  childText,
  toXml,
  type XmlElement,
  type XmlFields,
} from './xml';

/**
 * PARS's web-service messages (R8), for both sides of the wire: the adapter writes requests and
 * reads answers, the PARS simulator does the reverse. Operation and element names follow the
 * vendor reference quoted in docs/pars-assumptions.md; each operation is an
 * HTTP POST of one XML document to `<base>/<Operation>`.
 */

export const PARS_OPERATIONS = [
  'SaveActivity',
  'GetActivity',
  'SaveLearnerActivity',
  'GetLearnerStatus',
  'DeleteLearnerActivity',
  'LearnerMatchRequest',
] as const;
export type ParsOperation = (typeof PARS_OPERATIONS)[number];

/** A learner record's status in PARS: accepted or rejected within 24 hours. */
export type ParsRecordStatus = 'Pending' | 'Accepted' | 'Rejected' | 'Deleted' | 'NotFound';

/** A learner's identity at one board, as PARS matches it. */
export interface ParsLearnerMatch {
  /** PARS's board code: the certifying board, or a state board's two-letter state. */
  boardId: string;
  learnerBoardId?: string;
  firstName: string;
  lastName: string;
  birthMonth: number;
  birthDay: number;
  licenseState?: string;
  licenseNumber?: string;
  npi?: string;
}

/** One learner completion record, as PARS takes it: an identity and a completion. */
export interface ParsCompletion extends ParsLearnerMatch {
  /** The provider's id of the record: our submission id, PARS's duplicate key. */
  providerRecordId: string;
  activityId: string;
  /** A calendar date, YYYY-MM-DD, in PARS's time zone. */
  completionDate: string;
  creditType: string;
  /** Decimal string, two places. */
  credits: string;
  mocPoints?: string;
  mocType?: string;
}

/** The time zone PARS reads a completion date in: ACCME's, in Chicago. */
export { PARS_TIME_ZONE };

/** An instant as a calendar date (YYYY-MM-DD) in a time zone. */
export function calendarDate(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Why a request cannot become a PARS record: said so the learner or an operator can act. */
export class NotReportableThroughPars extends Error {
  override readonly name = 'NotReportableThroughPars';
}

/**
 * R8: the completion record one submission becomes: the identity the board matches by
 * (certifying boards: board id, names, birth month and day; state boards: names, birth month
 * and day, a license of that state or the NPI), the activity's PARS id, the completion date as a
 * date in PARS's time zone, the credit and, for a MOC board, the MOC points (ABP: whole points).
 */
export function completionRecord(
  request: BoardSubmissionRequest,
  activities: Readonly<Record<string, ParsActivityConfig>> = PARS_ACTIVITIES,
  timeZone: string = PARS_TIME_ZONE,
): ParsCompletion {
  const boardId = parsBoardCode(request.board);
  if (boardId === undefined) {
    throw new NotReportableThroughPars(
      `${request.board} is not reached through ACCME PARS; the learner reports with the PDF certificate`,
    );
  }
  const activity = activities[request.activity];
  if (activity === undefined) {
    throw new NotReportableThroughPars(`activity ${request.activity} is not registered in PARS`);
  }
  const { learner } = request;
  const record: ParsCompletion = {
    providerRecordId: request.submissionId,
    activityId: activity.parsActivityId,
    boardId,
    firstName: learner.firstName,
    lastName: learner.lastName,
    birthMonth: learner.birthMonth,
    birthDay: learner.birthDay,
    completionDate: calendarDate(new Date(request.completedAt), timeZone),
    creditType: activity.creditType,
    credits: request.credits,
  };
  const moc = activity.moc[request.board];
  // A board without MOC is a state board.
  addBoardIdentity(record, learner, moc === undefined);
  if (moc === undefined) return record;
  const points = mocPointsFor(request.twelfths, request.credits, moc.points);
  if (points !== undefined) {
    record.mocPoints = points;
    record.mocType = moc.mocType;
  }
  return record;
}

/**
 * R16: what `LearnerMatchRequest` sends for a board: the identity that board matches by,
 * as in a completion record (a certifying board: its id; a state board: a license of its state,
 * else the learner's id there, and the NPI).
 */
export function learnerMatchOf(board: string, learner: BoardLearnerIdentity): ParsLearnerMatch {
  const boardId = parsBoardCode(board);
  if (boardId === undefined) {
    throw new NotReportableThroughPars(
      `${board} is not reached through ACCME PARS; it has no learner match there`,
    );
  }
  const match: ParsLearnerMatch = {
    boardId,
    firstName: learner.firstName,
    lastName: learner.lastName,
    birthMonth: learner.birthMonth,
    birthDay: learner.birthDay,
  };
  addBoardIdentity(match, learner, findBoard(board)?.kind === 'state');
  return match;
}

/**
 * What a board matches its learner by beyond names and birthday, added to a record or a
 * match: a state board, a license of its state (else the learner's id there) and the NPI; a
 * certifying board, the learner's id there.
 */
function addBoardIdentity(
  target: ParsLearnerMatch,
  learner: BoardLearnerIdentity,
  stateBoard: boolean,
): void {
  if (!stateBoard) {
    if (learner.learnerBoardId !== undefined) target.learnerBoardId = learner.learnerBoardId;
    return;
  }
  const license = learner.licenses.find((l) => l.state === target.boardId);
  const licenseNumber = license?.licenseNumber ?? learner.learnerBoardId;
  if (licenseNumber !== undefined) {
    target.licenseState = target.boardId;
    target.licenseNumber = licenseNumber;
  }
  if (learner.npi !== undefined) target.npi = learner.npi;
}

/** ABP takes whole points only: rounded down; under one point, no MOC is reported. */
function mocPointsFor(
  twelfths: string,
  credits: string,
  points: 'quarter' | 'whole',
): string | undefined {
  if (points === 'quarter') return credits;
  const whole = BigInt(twelfths) / 12n;
  return whole > 0n ? `${whole}.00` : undefined;
}

// ---------------------------------------------------------------------------------------
// XML: requests
// ---------------------------------------------------------------------------------------

const identityFields = (record: ParsLearnerMatch): XmlFields => ({
  BoardId: record.boardId,
  LearnerBoardId: record.learnerBoardId,
  FirstName: record.firstName,
  LastName: record.lastName,
  BirthMonth: record.birthMonth,
  BirthDay: record.birthDay,
  LicenseState: record.licenseState,
  LicenseNumber: record.licenseNumber,
  NPI: record.npi,
});

export const saveLearnerActivityXml = (providerId: string, record: ParsCompletion): string =>
  toXml('SaveLearnerActivityRequest', {
    ProviderId: providerId,
    LearnerActivity: {
      ProviderLearnerRecordId: record.providerRecordId,
      ActivityId: record.activityId,
      ...identityFields(record),
      CompletionDate: record.completionDate,
      CreditType: record.creditType,
      CreditsEarned: record.credits,
      MOCPoints: record.mocPoints,
      MOCType: record.mocType,
    },
  });

export const recordRequestXml = (
  operation: 'GetLearnerStatus' | 'DeleteLearnerActivity',
  providerId: string,
  providerRecordId: string,
): string =>
  toXml(`${operation}Request`, {
    ProviderId: providerId,
    ProviderLearnerRecordId: providerRecordId,
  });

export const learnerMatchXml = (providerId: string, learner: ParsLearnerMatch): string =>
  toXml('LearnerMatchRequest', { ProviderId: providerId, Learner: identityFields(learner) });

export const saveActivityXml = (providerId: string, activity: ParsActivityConfig): string =>
  toXml('SaveActivityRequest', {
    ProviderId: providerId,
    Activity: activityFields(activity),
  });

export const getActivityXml = (providerId: string, activityId: string): string =>
  toXml('GetActivityRequest', { ProviderId: providerId, ActivityId: activityId });

function activityFields(activity: ParsActivityConfig): XmlFields & {
  MOC: { Board: { BoardId: string; MOCType: string }[] };
} {
  return {
    ActivityId: activity.parsActivityId,
    Title: activity.title,
    ActivityType: activity.activityType,
    CreditType: activity.creditType,
    MaxCredits: activity.maxCreditsPerCompletion,
    StartDate: activity.startDate,
    EndDate: activity.endDate,
    MOC: {
      Board: Object.entries(activity.moc)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([board, moc]) => ({ BoardId: board, MOCType: moc.mocType })),
    },
  };
}

/** What PARS holds for an activity, compared field by field by `pars-activities --verify`. */
export interface ParsActivityView {
  activityId: string;
  title: string;
  activityType: string;
  creditType: string;
  maxCredits: string;
  startDate: string;
  endDate: string;
  /** `BOARD:MOCTYPE`, sorted. */
  moc: string[];
}

export function activityView(activity: ParsActivityConfig): ParsActivityView {
  const fields = activityFields(activity);
  return {
    activityId: activity.parsActivityId,
    title: activity.title,
    activityType: activity.activityType,
    creditType: activity.creditType,
    maxCredits: activity.maxCreditsPerCompletion,
    startDate: activity.startDate,
    endDate: activity.endDate,
    moc: fields.MOC.Board.map((b) => `${b.BoardId}:${b.MOCType}`),
  };
}

export function readActivity(element: XmlElement): ParsActivityView | undefined {
  const get = (name: string): string => childText(element, name) ?? '';
  const moc = childNamed(element, 'MOC');
  const activityId = get('ActivityId');
  if (activityId === '') return undefined;
  return {
    activityId,
    title: get('Title'),
    activityType: get('ActivityType'),
    creditType: get('CreditType'),
    maxCredits: get('MaxCredits'),
    startDate: get('StartDate'),
    endDate: get('EndDate'),
    moc: (moc === undefined ? [] : childrenNamed(moc, 'Board'))
      .map((b) => `${childText(b, 'BoardId') ?? ''}:${childText(b, 'MOCType') ?? ''}`)
      .sort(),
  };
}

// ---------------------------------------------------------------------------------------
// XML: answers
// ---------------------------------------------------------------------------------------

/** One error PARS gives: a code and a message. */
export interface ParsError {
  code: string;
  message: string;
}

export function readErrors(answer: XmlElement): ParsError[] {
  const errors = childNamed(answer, 'Errors');
  if (errors === undefined) return [];
  return childrenNamed(errors, 'Error').map((error) => ({
    code: childText(error, 'Code') ?? 'UNKNOWN',
    message: childText(error, 'Message') ?? '',
  }));
}

export const errorsText = (errors: readonly ParsError[]): string =>
  errors.map((e) => `${e.message} (${e.code})`).join('; ');

export const errorsXml = (errors: readonly ParsError[]): XmlFields | undefined =>
  errors.length === 0
    ? undefined
    : { Error: errors.map((e) => ({ Code: e.code, Message: e.message })) };

import { ACTIVITIES, type Activity } from '../credits/activity';
import type { CertificateKind } from '../learner/clinical-role';

/**
 * R10: the boards that take direct credit reporting (ACCME PARS), the one place they are
 * listed. A learner can select only these; for any other board the learner downloads a PDF
 * certificate.
 *
 * CATALOGUE DATA TO MAINTAIN: board-id formats, required fields, start dates and the state
 * boards below follow ACCME's public collaboration pages as read when this was written;
 * check them against ACCME's current board specifications before relying on them.
 */

export type BoardKind = 'certifying' | 'state';

/**
 * A profile field a board needs to match a learner (R7, R16). `licenseOrNpi`: a license
 * number in the board's state (the learner's id at that board, or a license of that state
 * in the profile) or an NPI, as state boards match by either.
 */
export type BoardField =
  'firstName' | 'lastName' | 'birthMonth' | 'birthDay' | 'learnerBoardId' | 'licenseOrNpi';

export interface LearnerBoardIdFormat {
  readonly pattern: RegExp;
  /** How a learner would describe it: "ABIM ID (6 digits)". */
  readonly description: string;
}

export interface BoardCatalogueEntry {
  readonly code: string;
  readonly name: string;
  readonly kind: BoardKind;
  /** Whether credit the board accepts counts as MOC points (R12). */
  readonly awardsMoc: boolean;
  /**
   * R10/R11: a physician-only programme (the certifying boards' MOC): it takes AMA PRA
   * Category 1 Credit™ only, never a participation certificate's credit, and only a physician
   * may select it.
   */
  readonly physiciansOnly: boolean;
  readonly requiredFields: readonly BoardField[];
  readonly learnerBoardId: LearnerBoardIdFormat;
  /** First calendar date (ISO `YYYY-MM-DD`) the board takes credit from; null: no limit. */
  readonly acceptsActivitiesFrom: string | null;
  readonly activities: readonly Activity[];
  /** A state board's US state (two letters). */
  readonly state?: string;
}

const CERTIFYING_FIELDS: readonly BoardField[] = [
  'firstName',
  'lastName',
  'birthMonth',
  'birthDay',
  'learnerBoardId',
];
const STATE_FIELDS: readonly BoardField[] = [
  'firstName',
  'lastName',
  'birthMonth',
  'birthDay',
  'licenseOrNpi',
];

const certifying = (
  code: string,
  name: string,
  idPattern: RegExp,
  idDigits: string,
  acceptsActivitiesFrom: string | null = null,
): BoardCatalogueEntry => ({
  code,
  name,
  kind: 'certifying',
  awardsMoc: true,
  physiciansOnly: true,
  requiredFields: CERTIFYING_FIELDS,
  learnerBoardId: { pattern: idPattern, description: `${code} ID (${idDigits})` },
  acceptsActivitiesFrom,
  activities: ACTIVITIES,
});

const stateBoard = (
  code: string,
  name: string,
  state: string,
  stateName: string,
): BoardCatalogueEntry => ({
  code,
  name,
  kind: 'state',
  awardsMoc: false,
  physiciansOnly: false,
  requiredFields: STATE_FIELDS,
  learnerBoardId: {
    pattern: /^[A-Za-z0-9-]{2,20}$/,
    description: `${stateName} medical license number (2 to 20 letters, digits or hyphens)`,
  },
  acceptsActivitiesFrom: null,
  activities: ACTIVITIES,
  state,
});

// Data, one board an entry (its code, name and id format): alike in shape by nature.
export const BOARD_CATALOGUE: readonly BoardCatalogueEntry[] = [
  certifying('ABA', 'American Board of Anesthesiology', /^\d{5,8}$/, '5 to 8 digits'),
  certifying('ABIM', 'American Board of Internal Medicine', /^\d{6}$/, '6 digits'),
  certifying('ABOS', 'American Board of Orthopaedic Surgery', /^\d{4,6}$/, '4 to 6 digits'),
  certifying(
    'ABOHNS',
    'American Board of Otolaryngology – Head and Neck Surgery',
    /^\d{4,7}$/,
    '4 to 7 digits',
  ),
  certifying('ABPath', 'American Board of Pathology', /^\d{4,7}$/, '4 to 7 digits'),
  certifying('ABP', 'American Board of Pediatrics', /^\d{6}$/, '6 digits'),
  certifying('ABS', 'American Board of Surgery', /^\d{5,6}$/, '5 or 6 digits'),
  certifying('ABTS', 'American Board of Thoracic Surgery', /^\d{4,6}$/, '4 to 6 digits'),
  certifying(
    'ABPMR',
    'American Board of Physical Medicine and Rehabilitation',
    /^\d{4,6}$/,
    '4 to 6 digits',
    '2025-01-01',
  ),
  stateBoard('CA-MBC', 'Medical Board of California', 'CA', 'California'),
  stateBoard('MD-MBP', 'Maryland Board of Physicians', 'MD', 'Maryland'),
  stateBoard('NC-NCMB', 'North Carolina Medical Board', 'NC', 'North Carolina'),
  stateBoard('OR-OMB', 'Oregon Medical Board', 'OR', 'Oregon'),
  stateBoard('WA-WMC', 'Washington Medical Commission', 'WA', 'Washington'),
];

const BY_CODE: ReadonlyMap<string, BoardCatalogueEntry> = new Map(
  BOARD_CATALOGUE.map((entry) => [entry.code, entry]),
);

/** The catalogue entry of a board code (exact spelling, e.g. `ABPath`), if there is one. */
export const findBoard = (code: string): BoardCatalogueEntry | undefined => BY_CODE.get(code);

/**
 * R10: whether a board takes this activity's credit earned on a calendar date (`YYYY-MM-DD`,
 * the day the learner earned it, not the day it was claimed).
 */
export const boardTakesCredit = (
  board: BoardCatalogueEntry,
  activity: Activity,
  earnedOn: string,
): boolean =>
  board.activities.includes(activity) &&
  (board.acceptsActivitiesFrom === null || board.acceptsActivitiesFrom <= earnedOn);

/** R10/R11: whether a board takes the credit of a certificate of this kind. */
export const boardTakesCertificate = (
  board: BoardCatalogueEntry,
  certificate: CertificateKind,
): boolean => !board.physiciansOnly || certificate === 'ama-pra-category-1';

/** R16: whether a learner's id at a board has that board's format. */
export const isLearnerBoardIdValid = (
  board: BoardCatalogueEntry,
  learnerBoardId: string,
): boolean => board.learnerBoardId.pattern.test(learnerBoardId);

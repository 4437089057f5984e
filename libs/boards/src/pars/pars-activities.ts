import { ACTIVITIES, BOARD_CATALOGUE, type Activity } from '@ledger/domain';

/**
 * The provider's two activities as registered in ACCME PARS (R8): configuration and data,
 * kept here in one place. An operator registers or verifies them with
 * `npm run ledger -- pars-activities --verify|--register`. Every value marked A-n is an
 * assumption listed in docs/pars-assumptions.md, to be checked against ACCME's
 * specification before production.
 */

/** MOC a board awards for an activity: its MOC type and how points are counted. */
export interface ParsMocRegistration {
  /** ABIM `MK` (medical knowledge), ABP `LA` (lifelong learning), …. */
  mocType: string;
  /** `quarter`: points as credits, to the quarter (R3); `whole`: whole points only (ABP, A-8). */
  points: 'quarter' | 'whole';
}

export interface ParsActivityConfig {
  activity: Activity;
  /** PARS's id of the activity, given when it was registered. */
  parsActivityId: string;
  title: string;
  /** ACCME's activity type. */
  activityType: 'Internet Point-of-Care Learning' | 'Internet Enduring Material';
  creditType: 'AMA PRA Category 1 Credit';
  /** The most credit one learner may be given for one completion, as a decimal string. */
  maxCreditsPerCompletion: string;
  /** First and last day (YYYY-MM-DD) of the activity's registration in PARS. */
  startDate: string;
  endDate: string;
  /** Per board code of the R10 catalogue: whether PARS registers MOC for it and how. */
  moc: Readonly<Record<string, ParsMocRegistration>>;
}

/** The certifying boards PARS reports MOC to (A-9: ABPMR is not on ACCME's board list). */
// A lookup table, one entry a line: alike in shape with other tables of data, its values its own.
const MOC_BY_BOARD: Readonly<Record<string, ParsMocRegistration>> = {
  ABA: { mocType: 'LL', points: 'quarter' },
  ABIM: { mocType: 'MK', points: 'quarter' },
  ABOHNS: { mocType: 'SA', points: 'quarter' },
  ABOS: { mocType: 'LL', points: 'quarter' },
  ABPath: { mocType: 'LL', points: 'quarter' },
  ABP: { mocType: 'LA', points: 'whole' },
  ABS: { mocType: 'CME', points: 'quarter' },
  ABTS: { mocType: 'LL', points: 'quarter' },
};

export const PARS_ACTIVITIES: Readonly<Record<Activity, ParsActivityConfig>> = {
  ipoc: {
    activity: 'ipoc',
    parsActivityId: '202600001',
    title: 'Internet Point of Care: clinical questions researched',
    activityType: 'Internet Point-of-Care Learning',
    creditType: 'AMA PRA Category 1 Credit',
    maxCreditsPerCompletion: '100.00',
    startDate: '2024-01-01',
    endDate: '2027-12-31',
    moc: MOC_BY_BOARD,
  },
  'nejm-board-review': {
    activity: 'nejm-board-review',
    parsActivityId: '202600002',
    title: 'NEJM Knowledge+ board review',
    activityType: 'Internet Enduring Material',
    creditType: 'AMA PRA Category 1 Credit',
    maxCreditsPerCompletion: '100.00',
    startDate: '2024-01-01',
    endDate: '2027-12-31',
    moc: MOC_BY_BOARD,
  },
};

/** The boards of the R10 catalogue that PARS reaches, with their PARS board code. */
export function parsBoardCode(board: string): string | undefined {
  const entry = BOARD_CATALOGUE.find((candidate) => candidate.code === board);
  if (entry === undefined) return undefined;
  if (entry.kind === 'state') return entry.state;
  return board in MOC_BY_BOARD ? board : undefined;
}

export const parsActivities = (): ParsActivityConfig[] =>
  ACTIVITIES.map((activity) => PARS_ACTIVITIES[activity]);

import type { Activity } from '../credits/activity';
import { EarnedFacts, type EarnedFactColumns } from './earned-facts';
import type { PersonalData } from './learner.events';
import type { Claim, LearnerProfile, LearnerState } from './learner.state';

/**
 * The learner's folded state as plain JSON, for a snapshot (a cache of the fold, never a fact).
 *
 * Bump LEARNER_STATE_VERSION whenever the state's shape or what `evolve` makes of an event
 * changes: snapshots of another version are then passed over and the stream is folded again.
 * learner.snapshot.spec.ts pins the shape of a sample state, so a shape change fails it.
 */
export const LEARNER_STATE_VERSION = 3;

/**
 * Personal data is kept apart (`personal`, one list), so that the infrastructure can encrypt it
 * with the learner's key as it does in events; the state refers to it by index.
 */
export interface LearnerSnapshot {
  state: LearnerSnapshotState;
  personal: PersonalData[];
}

export interface LearnerSnapshotState {
  profile: SnapshotProfile | null;
  personalDataErased: boolean;
  /**
   * Earning facts in stream order, as columns (see EarnedFactColumns: version 3; version 2 kept
   * a row per fact, ten times the bytes to read and parse on a long stream).
   */
  earned: EarnedFactColumns;
  /**
   * What claims redeemed of each fact, in the state's order, as runs of entries alike: flat
   * `step, twelfths, count, …`, where each entry's fact index is the one before's plus `step`
   * (the first's from -1). A claim redeems a year's facts oldest first, whole: mostly one run.
   */
  redeemed: (number | string)[];
  claims: SnapshotClaim[];
  /** R7: [status, at (ms), by selection], or null when never given. */
  consent: [status: 'granted' | 'withdrawn', at: number, bySelection: boolean] | null;
  /** R16: [board, profile version, outcome, reason or null, checked at (ms)]. */
  identityChecks: [
    board: string,
    profileVersion: number,
    outcome: 'matched' | 'mismatched',
    reason: string | null,
    checkedAt: number,
  ][];
}

interface SnapshotProfile {
  version: number;
  updatedAt: number;
  clinicalRole: LearnerProfile['clinicalRole'];
  country: string;
  boards: string[];
  licenseStates: string[];
  /** Index in `personal`, or null once erased. */
  personal: number | null;
}

interface SnapshotClaim {
  claimId: string;
  activity: Activity;
  occurredAt: number;
  twelfths: string;
  breakdown: { earnedYear: number; twelfths: string; claimDeadline: string }[];
  boards: string[];
  clinicalRole: Claim['clinicalRole'];
  certificate: Claim['certificate'];
  profileVersion: number;
  identity: number | null;
  completed: [from: number, to: number] | null;
  submissions: [board: string, twelfths: string, completedAt: number][];
}

export function learnerSnapshotOf(state: LearnerState): LearnerSnapshot {
  const personal: PersonalData[] = [];
  const keep = (p: PersonalData | undefined): number | null =>
    p === undefined ? null : personal.push(p) - 1;
  const profile = state.profile;
  return {
    state: {
      profile:
        profile === undefined
          ? null
          : {
              version: profile.version,
              updatedAt: profile.updatedAt.getTime(),
              clinicalRole: profile.clinicalRole,
              country: profile.country,
              boards: [...profile.boards],
              licenseStates: [...profile.licenseStates],
              personal: keep(profile.personal),
            },
      personalDataErased: state.personalDataErased,
      earned: state.earned.columns(),
      redeemed: redeemedRuns(state.redeemed),
      claims: [...state.claims.values()].map((c) => ({
        claimId: c.claimId,
        activity: c.activity,
        occurredAt: c.occurredAt.getTime(),
        twelfths: c.twelfths.toString(),
        breakdown: c.breakdown.map((l) => ({ ...l, twelfths: l.twelfths.toString() })),
        boards: [...c.boards],
        clinicalRole: c.clinicalRole,
        certificate: c.certificate,
        profileVersion: c.profileVersion,
        identity: keep(c.identity),
        completed: c.completed ? [c.completed.from.getTime(), c.completed.to.getTime()] : null,
        submissions: c.submissions.map((s) => [
          s.board,
          s.twelfths.toString(),
          s.completedAt.getTime(),
        ]),
      })),
      consent: state.consent
        ? [state.consent.status, state.consent.at.getTime(), state.consent.bySelection]
        : null,
      identityChecks: [...state.identityChecks.values()].map((c) => [
        c.board,
        c.profileVersion,
        c.outcome,
        c.reason ?? null,
        c.checkedAt.getTime(),
      ]),
    },
    personal,
  };
}

export function learnerStateFromSnapshot({ state, personal }: LearnerSnapshot): LearnerState {
  const personalAt = (index: number | null): PersonalData | undefined => {
    if (index === null) return undefined;
    const found = personal[index];
    if (found === undefined) throw new RangeError(`snapshot names personal data #${index}`);
    return found;
  };
  const p = state.profile;
  return {
    profile:
      p === null
        ? undefined
        : {
            version: p.version,
            updatedAt: new Date(p.updatedAt),
            clinicalRole: p.clinicalRole,
            country: p.country,
            boards: p.boards,
            licenseStates: p.licenseStates,
            personal: personalAt(p.personal),
          },
    personalDataErased: state.personalDataErased,
    earned: EarnedFacts.fromColumns(state.earned),
    redeemed: redeemedFromRuns(state.redeemed),
    claims: new Map(
      state.claims.map((c): [string, Claim] => [
        c.claimId,
        {
          claimId: c.claimId,
          activity: c.activity,
          occurredAt: new Date(c.occurredAt),
          twelfths: BigInt(c.twelfths),
          breakdown: c.breakdown.map((l) => ({ ...l, twelfths: BigInt(l.twelfths) })),
          boards: c.boards,
          clinicalRole: c.clinicalRole,
          certificate: c.certificate,
          profileVersion: c.profileVersion,
          identity: personalAt(c.identity),
          completed: c.completed
            ? { from: new Date(c.completed[0]), to: new Date(c.completed[1]) }
            : undefined,
          submissions: c.submissions.map(([board, twelfths, completedAt]) => ({
            board,
            twelfths: BigInt(twelfths),
            completedAt: new Date(completedAt),
          })),
        },
      ]),
    ),
    consent: state.consent
      ? {
          status: state.consent[0],
          at: new Date(state.consent[1]),
          bySelection: state.consent[2],
        }
      : undefined,
    identityChecks: new Map(
      state.identityChecks.map(([board, profileVersion, outcome, reason, checkedAt]) => [
        board,
        {
          board,
          profileVersion,
          outcome,
          reason: reason ?? undefined,
          checkedAt: new Date(checkedAt),
        },
      ]),
    ),
  };
}

function redeemedRuns(redeemed: ReadonlyMap<number, bigint>): (number | string)[] {
  const runs: (number | string)[] = [];
  let previous = -1;
  for (const [index, twelfths] of redeemed) {
    const step = index - previous;
    const text = twelfths.toString();
    previous = index;
    const r = runs.length - 3;
    if (r >= 0 && runs[r] === step && runs[r + 1] === text)
      runs[r + 2] = (runs[r + 2] as number) + 1;
    else runs.push(step, text, 1);
  }
  return runs;
}

function redeemedFromRuns(runs: readonly (number | string)[]): Map<number, bigint> {
  if (runs.length % 3 !== 0) throw new RangeError('snapshot redeemed runs are cut short');
  const redeemed = new Map<number, bigint>();
  let index = -1;
  for (let r = 0; r < runs.length; r += 3) {
    const [step, text, count] = [runs[r], runs[r + 1], runs[r + 2]];
    if (typeof step !== 'number' || typeof text !== 'string' || !Number.isSafeInteger(count))
      throw new RangeError(`snapshot redeemed run ${r / 3} is not [step, twelfths, count]`);
    const twelfths = BigInt(text);
    for (let n = count as number; n > 0; n--) redeemed.set((index += step), twelfths);
  }
  return redeemed;
}

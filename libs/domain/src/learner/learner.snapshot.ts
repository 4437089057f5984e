import type { Activity } from '../credits/activity';
import { EarnedFacts } from './earned-facts';
import type { PersonalData } from './learner.events';
import type { Claim, LearnerProfile, LearnerState } from './learner.state';

/**
 * The learner's folded state as plain JSON, for a snapshot (a cache of the fold, never a fact).
 *
 * Bump LEARNER_STATE_VERSION whenever the state's shape or what `evolve` makes of an event
 * changes: snapshots of another version are then passed over and the stream is folded again.
 * learner.snapshot.spec.ts pins the shape of a sample state, so a shape change fails it.
 */
export const LEARNER_STATE_VERSION = 1;

/**
 * Personal data is kept apart (`personal`, one list), so that the infrastructure can encrypt it
 * with the learner's key as it does in events; the state refers to it by index.
 */
export interface LearnerSnapshot {
  state: LearnerSnapshotState;
  personal: PersonalData[];
}

type Earned = [activity: 0 | 1, sourceId: string, earnedYear: number, twelfths: string, ms: number];

export interface LearnerSnapshotState {
  profile: SnapshotProfile | null;
  personalDataErased: boolean;
  /** Earning facts in stream order; research and question ids are derived from them. */
  earned: Earned[];
  /** [index in earned, twelfths redeemed]. */
  redeemed: [number, string][];
  claims: SnapshotClaim[];
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
      earned: state.earned.rows() as Earned[],
      redeemed: [...state.redeemed].map(([index, t]) => [index, t.toString()]),
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
    earned: EarnedFacts.fromRows(state.earned),
    redeemed: new Map(state.redeemed.map(([index, t]) => [index, BigInt(t)])),
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
  };
}

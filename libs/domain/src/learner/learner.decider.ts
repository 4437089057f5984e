import { boardTakesCertificate, boardTakesCredit, findBoard } from '../boards/board-catalogue';
import {
  BOARD_REVIEW_TWELFTHS_PER_CORRECT_ANSWER,
  IPOC_TWELFTHS_PER_RESEARCH,
  type Activity,
} from '../credits/activity';
import { calendarDate, earnedYear } from '../credits/claim-window';
import {
  QUARTER_CREDIT_TWELFTHS,
  floorToQuarter,
  formatCredits,
  parseTwelfths,
  twelfthsToJson,
} from '../credits/twelfths';
import type { Decider } from '../decider';
import {
  assertBusinessTime,
  assertNotBackdated,
  judgedAt,
  type DecisionContext,
} from '../decision-context';
import { assertOperatorReference } from '../operator-reference';
import { DomainRuleViolation } from '../rules';
import { allocateClaim, completedSpan, type RedeemedPart } from './claim-allocation';
import { certificateFor, type CertificateKind } from './clinical-role';
import { creditLots, type CreditLot } from './credit-lots';
import { EarnedFacts } from './earned-facts';
import type {
  ClaimCredits,
  ErasePersonalData,
  ImportHistory,
  LearnerCommand,
  RecordAnswer,
  RecordBoardIdentityCheck,
  RecordDataSharingConsent,
  RecordResearch,
  UpdateProfile,
} from './learner.commands';
import type {
  ClaimBreakdownLine,
  ClaimSubmissionData,
  LearnerEvent,
  PersonalData,
} from './learner.events';
import type {
  BoardIdentityCheck,
  DataSharingConsent,
  Claim,
  EarnedCredit,
  LearnerProfile,
  LearnerState,
} from './learner.state';
import { validateProfile, type ValidatedProfile } from './profile-validation';

export const initialLearnerState = (): LearnerState => ({
  profile: undefined,
  personalDataErased: false,
  earned: EarnedFacts.empty(),
  redeemed: new Map(),
  claims: new Map(),
  consent: undefined,
  identityChecks: new Map(),
});

// ---------------------------------------------------------------------------------------
// evolve
// ---------------------------------------------------------------------------------------

/**
 * What a fold works on: the state's parts, copied only when an event changes them, so that
 * folding one event costs the same on a learner with 100,000 facts as on a new one. Earning
 * facts gather in `pending` and join `earned` in one step (see EarnedFacts: no copy either).
 */
interface LearnerDraft {
  profile: LearnerProfile | undefined;
  personalDataErased: boolean;
  earned: EarnedFacts;
  pending: EarnedCredit[];
  redeemed: ReadonlyMap<number, bigint>;
  claims: ReadonlyMap<string, Claim>;
  consent: DataSharingConsent | undefined;
  identityChecks: ReadonlyMap<string, BoardIdentityCheck>;
  ownRedeemed: Map<number, bigint> | undefined;
  ownClaims: Map<string, Claim> | undefined;
  ownIdentityChecks: Map<string, BoardIdentityCheck> | undefined;
}

const draftOf = (state: LearnerState): LearnerDraft => ({
  profile: state.profile,
  personalDataErased: state.personalDataErased,
  earned: state.earned,
  pending: [],
  redeemed: state.redeemed,
  claims: state.claims,
  consent: state.consent,
  identityChecks: state.identityChecks,
  ownRedeemed: undefined,
  ownClaims: undefined,
  ownIdentityChecks: undefined,
});

/** The draft's facts, pending ones included (a claim's allocation reads them). */
function earnedOf(draft: LearnerDraft): EarnedFacts {
  if (draft.pending.length > 0) {
    draft.earned = draft.earned.withAll(draft.pending);
    draft.pending = [];
  }
  return draft.earned;
}

function redeemedOf(draft: LearnerDraft): Map<number, bigint> {
  draft.ownRedeemed ??= new Map(draft.redeemed);
  draft.redeemed = draft.ownRedeemed;
  return draft.ownRedeemed;
}

function claimsOf(draft: LearnerDraft): Map<string, Claim> {
  draft.ownClaims ??= new Map(draft.claims);
  draft.claims = draft.ownClaims;
  return draft.ownClaims;
}

function identityChecksOf(draft: LearnerDraft): Map<string, BoardIdentityCheck> {
  draft.ownIdentityChecks ??= new Map(draft.identityChecks);
  draft.identityChecks = draft.ownIdentityChecks;
  return draft.ownIdentityChecks;
}

const stateOf = (draft: LearnerDraft): LearnerState => ({
  profile: draft.profile,
  personalDataErased: draft.personalDataErased,
  earned: earnedOf(draft),
  redeemed: draft.redeemed,
  claims: draft.claims,
  consent: draft.consent,
  identityChecks: draft.identityChecks,
});

function apply(draft: LearnerDraft, event: LearnerEvent): void {
  switch (event.type) {
    case 'LearnerProfileUpdated': {
      const { data } = event;
      draft.profile = {
        version: data.profileVersion,
        updatedAt: new Date(data.occurredAt),
        clinicalRole: data.clinicalRole,
        country: data.country,
        boards: data.boards,
        licenseStates: data.licenseStates,
        personal: data.personal ?? undefined,
      };
      if (data.personal != null) draft.personalDataErased = false;
      // R7 as first written (A-20): selecting a board in a profile recorded before consent had
      // events of its own was the consent; it stands until withdrawn.
      if (data.consentApart !== true && data.boards.length > 0 && draft.consent === undefined)
        draft.consent = { status: 'granted', at: new Date(data.occurredAt), bySelection: true };
      return;
    }
    case 'DataSharingConsentGranted':
    case 'DataSharingConsentWithdrawn':
      draft.consent = {
        status: event.type === 'DataSharingConsentGranted' ? 'granted' : 'withdrawn',
        at: new Date(event.data.occurredAt),
        bySelection: false,
      };
      return;
    case 'LearnerBoardIdentityChecked': {
      // The answer for the latest profile version stands: an older version's comes too late.
      const known = draft.identityChecks.get(event.data.board);
      if (known !== undefined && known.profileVersion > event.data.profileVersion) return;
      identityChecksOf(draft).set(event.data.board, {
        board: event.data.board,
        profileVersion: event.data.profileVersion,
        outcome: event.data.outcome,
        reason: event.data.reason,
        checkedAt: new Date(event.data.occurredAt),
      });
      return;
    }
    case 'QuestionResearched':
      draft.pending.push({
        activity: 'ipoc',
        sourceId: event.data.researchId,
        earnedYear: event.data.earnedYear,
        twelfths: parseTwelfths(event.data.twelfths),
        occurredAt: new Date(event.data.occurredAt),
      });
      return;
    case 'AnswerCorrect':
      draft.pending.push({
        activity: 'nejm-board-review',
        sourceId: event.data.questionId,
        earnedYear: event.data.earnedYear,
        twelfths: parseTwelfths(event.data.twelfths),
        occurredAt: new Date(event.data.occurredAt),
      });
      return;
    case 'AnswerIncorrect':
    case 'CorrectAnswerRepeated':
      return; // R2/R14: facts for auditors, no credit.
    case 'CreditClaimed': {
      const { data } = event;
      const occurredAt = new Date(data.occurredAt);
      const twelfths = parseTwelfths(data.twelfths);
      const breakdown = data.breakdown.map((line) => ({
        earnedYear: line.earnedYear,
        twelfths: parseTwelfths(line.twelfths),
        claimDeadline: line.claimDeadline,
      }));
      const parts = allocateClaim(
        { earned: earnedOf(draft), redeemed: draft.redeemed },
        data.activity,
        occurredAt,
        breakdown,
      );
      const redeemed = redeemedOf(draft);
      for (const part of parts)
        redeemed.set(part.fact, (redeemed.get(part.fact) ?? 0n) + part.twelfths);
      const completed =
        data.completedFrom !== undefined && data.completedTo !== undefined
          ? { from: new Date(data.completedFrom), to: new Date(data.completedTo) }
          : completedSpan(parts);
      claimsOf(draft).set(data.claimId, {
        claimId: data.claimId,
        activity: data.activity,
        occurredAt,
        twelfths,
        breakdown,
        boards: data.boards,
        clinicalRole: data.clinicalRole,
        certificate: data.certificate,
        profileVersion: data.profileVersion,
        // Older claims carry no snapshot: the profile as it stood then is the same identity.
        identity: data.personal ?? draft.profile?.personal,
        completed,
        submissions:
          data.submissions?.map((s) => ({
            board: s.board,
            twelfths: parseTwelfths(s.twelfths),
            completedAt: new Date(s.completedAt),
          })) ??
          data.boards.map((board) => ({
            board,
            twelfths,
            completedAt: completed?.to ?? occurredAt,
          })),
      });
      return;
    }
    case 'HistoryImported':
      return; // R15: who imported and why, for auditors; the facts follow as their own events.
    case 'PersonalDataErased':
      draft.personalDataErased = true;
      if (draft.profile !== undefined) draft.profile = { ...draft.profile, personal: undefined };
      for (const [claimId, claim] of draft.claims)
        if (claim.identity !== undefined)
          claimsOf(draft).set(claimId, { ...claim, identity: undefined });
      return;
    default: {
      // A type this version does not know (written by a newer one) changes nothing here.
      const _unknownEvent: never = event;
      return;
    }
  }
}

export function evolveLearner(state: LearnerState, event: LearnerEvent): LearnerState {
  const draft = draftOf(state);
  apply(draft, event);
  return stateOf(draft);
}

/** Folds a stream: the same as `events.reduce(evolveLearner, from)`, in linear time. */
export function foldLearner(
  events: Iterable<LearnerEvent>,
  from: LearnerState = initialLearnerState(),
): LearnerState {
  const draft = draftOf(from);
  for (const event of events) apply(draft, event);
  return stateOf(draft);
}

// ---------------------------------------------------------------------------------------
// decide
// ---------------------------------------------------------------------------------------

export function decideLearner(
  command: LearnerCommand,
  state: LearnerState,
  context: DecisionContext,
): LearnerEvent[] {
  assertBusinessTime(command.data.occurredAt, context);
  // R15: an import is how older facts enter; every other command must be recent.
  if (command.type !== 'ImportHistory') assertNotBackdated(command.data.occurredAt, context);
  // One case per command, each to a function of its own, closed by the `never` check: the
  // dispatch every decider and reactor has (board-submission.decider.ts and .reactor.ts).
  switch (command.type) {
    case 'RecordResearch':
      return recordResearch(command, state, context);
    case 'RecordAnswer':
      return recordAnswer(command, state, context);
    case 'UpdateProfile':
      return updateProfile(command, state);
    case 'ClaimCredits':
      return claimCredits(command, state, context);
    case 'ErasePersonalData':
      return erasePersonalData(command, state);
    case 'ImportHistory':
      return importHistory(command, state, context);
    case 'RecordDataSharingConsent':
      return recordDataSharingConsent(command, state);
    case 'RecordBoardIdentityCheck':
      return recordBoardIdentityCheck(command, state);
    default: {
      const _unknownCommand: never = command;
      throw new TypeError(`unknown learner command ${JSON.stringify(_unknownCommand)}`);
    }
  }
}

export const learnerDecider: Decider<LearnerState, LearnerCommand, LearnerEvent, DecisionContext> =
  {
    initialState: initialLearnerState,
    evolve: evolveLearner,
    fold: foldLearner,
    decide: decideLearner,
  };

// recordResearch and recordAnswer open alike (an id the rule needs, refused when blank) on
// purpose: each says its own rule, code and message; an import names its fact's field.
/** R1: each research earns 6/12 once; the same research id again records nothing. */
function recordResearch(
  { data }: Pick<RecordResearch, 'data'> & { type: 'RecordResearch' },
  state: LearnerState,
  context: DecisionContext,
  field = 'researchId',
): LearnerEvent[] {
  if (data.researchId.trim() === '') {
    throw new DomainRuleViolation({
      rule: 'R1',
      code: 'research-id-required',
      field,
      message: 'researchId must name the research, so that recording it twice earns once',
    });
  }
  if (state.earned.has('ipoc', data.researchId)) return [];
  return [
    {
      type: 'QuestionResearched',
      data: {
        researchId: data.researchId,
        occurredAt: data.occurredAt.toISOString(),
        earnedYear: earnedYear(data.occurredAt, context.timeZone),
        twelfths: twelfthsToJson(IPOC_TWELFTHS_PER_RESEARCH),
      },
    },
  ];
}

/** R2/R14: only a question's first correct answer earns (2/12); every answer is recorded. */
function recordAnswer(
  { data }: RecordAnswer,
  state: LearnerState,
  context: DecisionContext,
  field = 'questionId',
): LearnerEvent[] {
  if (data.questionId.trim() === '') {
    throw new DomainRuleViolation({
      rule: 'R2',
      code: 'question-id-required',
      field,
      message: 'questionId must name the board-review question answered',
    });
  }
  const occurredAt = data.occurredAt.toISOString();
  if (!data.correct) {
    return [{ type: 'AnswerIncorrect', data: { questionId: data.questionId, occurredAt } }];
  }
  if (state.earned.has('nejm-board-review', data.questionId)) {
    return [{ type: 'CorrectAnswerRepeated', data: { questionId: data.questionId, occurredAt } }];
  }
  return [
    {
      type: 'AnswerCorrect',
      data: {
        questionId: data.questionId,
        occurredAt,
        earnedYear: earnedYear(data.occurredAt, context.timeZone),
        twelfths: twelfthsToJson(BOARD_REVIEW_TWELFTHS_PER_CORRECT_ANSWER),
      },
    },
  ];
}

/** JSON with object keys sorted, so that equal profiles compare equal whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What a profile update can change, as a comparable string. */
const profileKey = (profile: {
  readonly clinicalRole: string;
  readonly country: string;
  readonly boards: readonly string[];
  readonly licenseStates: readonly string[];
  readonly personal: PersonalData | undefined;
}): string =>
  canonicalJson([
    profile.clinicalRole,
    profile.country,
    profile.boards,
    profile.licenseStates,
    profile.personal,
  ]);

/** Whether an update changes nothing (unknowable once the personal data was erased). */
const sameProfile = (current: LearnerProfile, next: ValidatedProfile): boolean =>
  current.personal !== undefined && profileKey(current) === profileKey(next);

/** R7/R10/R16: a valid profile becomes the next version; an identical one records nothing. */
function updateProfile({ data }: UpdateProfile, state: LearnerState): LearnerEvent[] {
  const next = validateProfile(data);
  if (state.profile !== undefined && sameProfile(state.profile, next)) return [];
  return [
    {
      type: 'LearnerProfileUpdated',
      data: {
        occurredAt: data.occurredAt.toISOString(),
        profileVersion: (state.profile?.version ?? 0) + 1,
        clinicalRole: next.clinicalRole,
        country: next.country,
        boards: next.boards,
        licenseStates: next.licenseStates,
        personal: next.personal,
        consentApart: true,
      },
    },
  ];
}

/** R7/R8: whether completion data may go to the boards the profile selects. */
export const consentsToDataSharing = (state: LearnerState): boolean =>
  state.consent?.status === 'granted';

/**
 * R7: consent to share completion data with the boards selected in the profile, given or
 * withdrawn. It needs a profile that selects a board (there is nothing to consent to
 * otherwise); the same decision again records nothing.
 */
function recordDataSharingConsent(
  { data }: RecordDataSharingConsent,
  state: LearnerState,
): LearnerEvent[] {
  const { profile } = state;
  if (data.consent !== 'granted' && data.consent !== 'withdrawn') {
    throw new DomainRuleViolation({
      rule: 'R7',
      code: 'invalid-consent',
      field: 'consent',
      message: 'consent must be "granted" or "withdrawn"',
    });
  }
  if (data.consent === 'granted' && (profile === undefined || profile.boards.length === 0)) {
    throw new DomainRuleViolation({
      rule: 'R7',
      code: 'no-board-selected',
      field: 'consent',
      message:
        'select at least one board in the CME profile first: consent is to share completion data with the boards selected there',
    });
  }
  const current = state.consent?.status ?? 'withdrawn';
  if (current === data.consent) return [];
  const recorded = {
    occurredAt: data.occurredAt.toISOString(),
    profileVersion: profile?.version ?? 0,
    boards: [...(profile?.boards ?? [])],
  };
  return data.consent === 'granted'
    ? [{ type: 'DataSharingConsentGranted', data: recorded }]
    : [{ type: 'DataSharingConsentWithdrawn', data: recorded }];
}

/**
 * R16: a board's learner-match answer for a profile version's identity. The board must be
 * selected in that version, and a mismatch needs the board's reason (what the learner
 * corrects); the same answer for the same version again records nothing.
 */
function recordBoardIdentityCheck(
  { data }: RecordBoardIdentityCheck,
  state: LearnerState,
): LearnerEvent[] {
  const { profile } = state;
  if (profile === undefined) {
    throw new DomainRuleViolation({
      rule: 'R16',
      code: 'profile-required',
      message: 'a learner match checks the CME profile; this learner has none',
    });
  }
  if (
    !Number.isInteger(data.profileVersion) ||
    data.profileVersion < 1 ||
    data.profileVersion > profile.version
  ) {
    throw new DomainRuleViolation({
      rule: 'R16',
      code: 'unknown-profile-version',
      field: 'profileVersion',
      message: `profile version ${data.profileVersion} was never recorded (the latest is ${profile.version})`,
    });
  }
  if (data.profileVersion === profile.version && !profile.boards.includes(data.board)) {
    throw new DomainRuleViolation({
      rule: 'R16',
      code: 'board-not-selected',
      field: 'board',
      message: `${data.board} is not selected in the CME profile; only selected boards are checked`,
    });
  }
  const reason = data.reason?.trim() ?? '';
  if (data.outcome === 'mismatched' && reason === '') {
    throw new DomainRuleViolation({
      rule: 'R16',
      code: 'required-field',
      field: 'reason',
      message: "a mismatch needs the board's reason, so that the learner knows what to correct",
    });
  }
  const last = state.identityChecks.get(data.board);
  if (
    last !== undefined &&
    last.profileVersion === data.profileVersion &&
    last.outcome === data.outcome &&
    (last.reason ?? '') === reason
  )
    return [];
  return [
    {
      type: 'LearnerBoardIdentityChecked',
      data: {
        occurredAt: data.occurredAt.toISOString(),
        board: data.board,
        profileVersion: data.profileVersion,
        outcome: data.outcome,
        ...(data.outcome === 'mismatched' ? { reason } : {}),
      },
    },
  ];
}

const ACTIVITY_LABEL: Record<Activity, string> = {
  ipoc: 'Internet Point of Care',
  'nejm-board-review': 'NEJM Knowledge+ board review',
};

const describeAmount = (twelfths: bigint): string =>
  twelfths % QUARTER_CREDIT_TWELFTHS === 0n
    ? `${formatCredits(twelfths)} credit`
    : `${twelfths}/12 credit`;

const unclaimedIn = (lot: CreditLot): bigint =>
  lot.earned > lot.claimed ? lot.earned - lot.claimed : 0n;

const sum = (amounts: readonly bigint[]): bigint => amounts.reduce((a, b) => a + b, 0n);

/**
 * R5/R6/R8/R11: redeems all unclaimed credit of the activity earned at or before occurredAt
 * whose claim window is still open, oldest earned year first. Board review claims whole
 * quarters (R3); the remainder stays unclaimed, in the newest years.
 */
function claimCredits(
  { data }: ClaimCredits,
  state: LearnerState,
  context: DecisionContext,
): LearnerEvent[] {
  const existing = state.claims.get(data.claimId);
  if (existing !== undefined) {
    if (existing.activity === data.activity) return [];
    throw new DomainRuleViolation({
      rule: 'R6',
      code: 'claim-id-conflict',
      field: 'claimId',
      message: `claim ${data.claimId} already claimed ${existing.activity} credit; use a new claim id`,
    });
  }
  const profile = state.profile;
  if (profile === undefined) {
    throw new DomainRuleViolation({
      rule: 'R7',
      code: 'profile-required',
      message:
        'complete the CME profile before claiming: the certificate depends on the clinical role (R11) ' +
        'and the boards selected receive the credit (R8)',
    });
  }

  // R5: credit earned by the claim's business time, its windows judged no earlier than the
  // server's clock (less the skew): a claim dated in the past never reopens a closed window.
  const lots = creditLots(state, data.activity, {
    earnedBy: data.occurredAt,
    judgedAt: judgedAt(data.occurredAt, context),
    timeZone: context.timeZone,
    claims: state.claims.values(),
  });
  const open = lots.filter((lot) => lot.windowOpen && unclaimedIn(lot) > 0n);
  const closed = lots.filter((lot) => !lot.windowOpen && unclaimedIn(lot) > 0n);
  const claimable = sum(open.map(unclaimedIn));
  const amount = data.activity === 'nejm-board-review' ? floorToQuarter(claimable) : claimable;

  if (amount === 0n)
    refuseEmptyClaim(data.activity, data.occurredAt, claimable, closed, context.timeZone);

  const breakdown: ClaimBreakdownLine[] = [];
  let remaining = amount;
  for (const lot of open) {
    if (remaining === 0n) break;
    const take = unclaimedIn(lot) < remaining ? unclaimedIn(lot) : remaining;
    breakdown.push({
      earnedYear: lot.earnedYear,
      twelfths: twelfthsToJson(take),
      claimDeadline: lot.claimDeadline,
    });
    remaining -= take;
  }

  const parts = allocateClaim(
    state,
    data.activity,
    data.occurredAt,
    breakdown.map((line) => ({
      earnedYear: line.earnedYear,
      twelfths: parseTwelfths(line.twelfths),
    })),
  );
  const completed = completedSpan(parts);
  const certificate = certificateFor(profile.clinicalRole);
  const submissions = boardSubmissionsOf(
    profile.boards,
    data.activity,
    certificate,
    parts,
    context.timeZone,
  );

  return [
    {
      type: 'CreditClaimed',
      data: {
        claimId: data.claimId,
        activity: data.activity,
        occurredAt: data.occurredAt.toISOString(),
        twelfths: twelfthsToJson(amount),
        breakdown,
        boards: submissions.map((s) => s.board),
        clinicalRole: profile.clinicalRole,
        certificate,
        profileVersion: profile.version,
        ...(completed === undefined
          ? {}
          : {
              completedFrom: completed.from.toISOString(),
              completedTo: completed.to.toISOString(),
            }),
        submissions,
        ...(profile.personal === undefined ? {} : { personal: profile.personal }),
      },
    },
  ];
}

/**
 * R8/R10/R11/R3: what each board selected at claim time receives of the claim: the credit it
 * takes by the day that credit was earned (ABPMR: from 2025), nothing from a physician-only
 * programme for a participation certificate, board review rounded down to a quarter; the
 * completion reported is when the learner completed the last of that credit. A board left
 * with nothing gets no submission.
 */
function boardSubmissionsOf(
  selected: readonly string[],
  activity: Activity,
  certificate: CertificateKind,
  parts: readonly RedeemedPart[],
  timeZone: string,
): ClaimSubmissionData[] {
  return selected.flatMap((code) => {
    const board = findBoard(code);
    if (board === undefined || !boardTakesCertificate(board, certificate)) return [];
    const taken = parts.filter((part) =>
      boardTakesCredit(board, activity, calendarDate(part.occurredAt, timeZone)),
    );
    const total = sum(taken.map((part) => part.twelfths));
    const twelfths = activity === 'nejm-board-review' ? floorToQuarter(total) : total;
    const last = taken[taken.length - 1];
    if (twelfths === 0n || last === undefined) return [];
    return [
      {
        board: code,
        twelfths: twelfthsToJson(twelfths),
        completedAt: last.occurredAt.toISOString(),
      },
    ];
  });
}

function refuseEmptyClaim(
  activity: Activity,
  occurredAt: Date,
  claimable: bigint,
  closed: readonly CreditLot[],
  timeZone: string,
): never {
  const label = ACTIVITY_LABEL[activity];
  const expired = sum(closed.map(unclaimedIn));
  const withExpired = claimable + expired;
  const couldHaveClaimed =
    activity === 'nejm-board-review' ? floorToQuarter(withExpired) : withExpired;
  const expiredNote =
    closed.length === 0
      ? ''
      : `; ${closed
          .map(
            (lot) =>
              `${describeAmount(unclaimedIn(lot))} earned in ${lot.earnedYear} could be claimed until ${lot.claimDeadline}`,
          )
          .join('; ')} (${timeZone}), and has expired`;
  if (couldHaveClaimed > 0n) {
    throw new DomainRuleViolation({
      rule: 'R5',
      code: 'claim-window-closed',
      message:
        `no ${label} credit can be claimed${expiredNote} ` +
        '(credit may be claimed until 31 December of the second year after the year it was earned)',
    });
  }
  if (claimable > 0n) {
    const missing = QUARTER_CREDIT_TWELFTHS - claimable;
    const answers =
      (missing + BOARD_REVIEW_TWELFTHS_PER_CORRECT_ANSWER - 1n) /
      BOARD_REVIEW_TWELFTHS_PER_CORRECT_ANSWER;
    throw new DomainRuleViolation({
      rule: 'R6',
      code: 'nothing-to-claim',
      message:
        `only ${claimable}/12 credit of ${label} credit is unclaimed, less than the quarter credit a ` +
        `board-review claim needs (R3); answer ${answers} more question(s) correctly for the first time, then claim again${expiredNote}`,
    });
  }
  throw new DomainRuleViolation({
    rule: 'R6',
    code: 'nothing-to-claim',
    message: `there is no unclaimed ${label} credit earned by ${occurredAt.toISOString()} to claim${expiredNote}`,
  });
}

/**
 * R15: facts from before the backdate bound, recorded as their own events after one
 * HistoryImported that says who imported them and why. R1/R14 hold as for any fact: a research
 * or a correct answer already recorded earns nothing again. Nothing new: nothing recorded.
 */
function importHistory(
  { data }: ImportHistory,
  state: LearnerState,
  context: DecisionContext,
): LearnerEvent[] {
  assertOperatorReference(data.reference, 'R15', 'reference');
  if (data.facts.length === 0) {
    throw new DomainRuleViolation({
      rule: 'R15',
      code: 'import-empty',
      field: 'facts',
      message: 'a history import needs at least one fact',
    });
  }
  let current = state;
  const facts: LearnerEvent[] = [];
  data.facts.forEach((fact, index) => {
    const field = `facts[${index}]`;
    assertBusinessTime(fact.occurredAt, context, `${field}.occurredAt`);
    const produced =
      fact.kind === 'research'
        ? recordResearch(
            { type: 'RecordResearch', data: fact },
            current,
            context,
            `${field}.researchId`,
          )
        : recordAnswer(
            { type: 'RecordAnswer', data: fact },
            current,
            context,
            `${field}.questionId`,
          );
    for (const event of produced) {
      facts.push(event);
      current = evolveLearner(current, event);
    }
  });
  if (facts.length === 0) return [];
  const times = data.facts.map((f) => f.occurredAt.getTime());
  return [
    {
      type: 'HistoryImported',
      data: {
        occurredAt: data.occurredAt.toISOString(),
        reference: data.reference,
        importedBy: data.importedBy,
        facts: data.facts.length,
        earliest: new Date(Math.min(...times)).toISOString(),
        latest: new Date(Math.max(...times)).toISOString(),
      },
    },
    ...facts,
  ];
}

/**
 * Erasure is recorded once, with the ticket reference of the request (never free text: a name
 * typed there could never be erased); the key is destroyed outside the domain.
 */
function erasePersonalData({ data }: ErasePersonalData, state: LearnerState): LearnerEvent[] {
  if (data.ticket !== undefined) assertOperatorReference(data.ticket, 'R7', 'ticket');
  if (state.personalDataErased) return [];
  return [
    {
      type: 'PersonalDataErased',
      data: {
        occurredAt: data.occurredAt.toISOString(),
        ...(data.ticket === undefined ? {} : { ticket: data.ticket }),
      },
    },
  ];
}

import {
  ACTIVITIES,
  amountView,
  exactAmountView,
  claimTag,
  creditLot,
  findBoard,
  mocPoints,
  nonUsEquivalents,
  totalsOfLots,
  needsFollowUp,
  submissionAtRisk,
  type Activity,
  type AmountView,
  type CertificateKind,
  type CreditLot,
  type CreditTotals,
} from '@ledger/domain';
import type { DataSource } from 'typeorm';
import type { SubmissionRow } from '../projections/claims.projection';
import { assertLearnerComplete, projectionsAt } from './projection-positions';

interface LotRow {
  activity: Activity;
  earned_year: number;
  claim_deadline: string;
  earned: string;
  claimed: string;
}

export interface ActivityBalances {
  earned: AmountView;
  claimed: AmountView;
  unclaimed: AmountView;
  expired: AmountView;
}

export interface CreditsView {
  learnerId: string;
  position: string;
  asOf: string;
  activities: Record<Activity, ActivityBalances>;
  mocPoints: { total: AmountView; byBoard: Record<string, AmountView> };
  nonUsEquivalents: { rcpscSection2SelfLearning: AmountView; ecmec: AmountView };
}

const LOTS = (schema: string) =>
  `SELECT activity, earned_year, to_char(claim_deadline, 'YYYY-MM-DD') AS claim_deadline, earned::text, claimed::text
     FROM ${schema}.credit_lots WHERE learner_id = $1 ORDER BY activity, earned_year`;

/** R12/R13: a learner's balances per activity, MOC points and non-US equivalents. */
export async function learnerCredits(
  dataSource: DataSource,
  learnerId: string,
  options: { now: Date; timeZone: string; minPosition?: bigint },
): Promise<CreditsView> {
  const { projections, position } = await projectionsAt(
    dataSource,
    ['credit-balances', 'claims'],
    options.minPosition,
  );
  await assertLearnerComplete(dataSource, projections, learnerId);
  const balances = projections.get('credit-balances')!.schema;
  const claims = projections.get('claims')!.schema;
  const [lots, accepted, category1] = await Promise.all([
    dataSource.query(LOTS(balances), [learnerId]) as Promise<LotRow[]>,
    dataSource.query(
      `SELECT s.board, s.claim_id, s.twelfths::text, c.certificate
         FROM ${claims}.board_submissions s
         JOIN ${claims}.claims c ON c.learner_id = s.learner_id AND c.claim_id = s.claim_id
        WHERE s.learner_id = $1 AND s.status IN ('accepted', 'confirmed')`,
      [learnerId],
    ) as Promise<
      { board: string; claim_id: string; twelfths: string; certificate: CertificateKind }[]
    >,
    dataSource.query(
      `SELECT activity, sum(twelfths)::text AS twelfths FROM ${claims}.claims
        WHERE learner_id = $1 AND certificate = 'ama-pra-category-1' GROUP BY activity`,
      [learnerId],
    ) as Promise<{ activity: Activity; twelfths: string }[]>,
  ]);
  const cat1 = (activity: Activity) =>
    BigInt(category1.find((c) => c.activity === activity)?.twelfths ?? '0');
  const lotsOf = (activity: Activity) =>
    lots.filter((l) => l.activity === activity).map((l) => lotOf(l, options.now, options.timeZone));
  const totals: CreditTotals = {
    ipoc: totalsOfLots(lotsOf('ipoc'), cat1('ipoc')),
    'nejm-board-review': totalsOfLots(lotsOf('nejm-board-review'), cat1('nejm-board-review')),
  };
  const moc = mocPoints(
    accepted.map((a) => ({
      board: a.board,
      claimId: a.claim_id,
      certificate: a.certificate,
      twelfths: BigInt(a.twelfths),
    })),
  );
  return {
    learnerId,
    position: position.toString(),
    asOf: options.now.toISOString(),
    ...creditsViewOf(totals, moc),
  };
}

/** A read-model row of one earned year as the domain's lot, its window judged at `now` (R5). */
const lotOf = (row: LotRow, now: Date, timeZone: string): CreditLot =>
  creditLot(
    { earnedYear: row.earned_year, earned: BigInt(row.earned), claimed: BigInt(row.claimed) },
    now,
    timeZone,
  );

/** R12: each activity's earned, claimed, unclaimed and expired credit, as amounts. */
export function balancesViewOf(totals: CreditTotals): Record<Activity, ActivityBalances> {
  const view = {} as Record<Activity, ActivityBalances>;
  for (const activity of ACTIVITIES) {
    const t = totals[activity];
    view[activity] = {
      earned: amountView(t.earned, activity),
      claimed: amountView(t.claimed, activity),
      unclaimed: amountView(t.unclaimed, activity),
      expired: amountView(t.expired, activity),
    };
  }
  return view;
}

/**
 * R12/R13: the balances, MOC points and non-US equivalents shown for the domain's totals (from
 * the read models here, from a replay of the log in the as-of audit).
 */
export function creditsViewOf(
  totals: CreditTotals,
  moc: ReturnType<typeof mocPoints>,
): Pick<CreditsView, 'activities' | 'mocPoints' | 'nonUsEquivalents'> {
  const equivalents = nonUsEquivalents(totals);
  return {
    activities: balancesViewOf(totals),
    mocPoints: {
      total: amountView(moc.total, 'ipoc'),
      byBoard: Object.fromEntries(
        Object.entries(moc.byBoard).map(([board, t]) => [board, amountView(t, 'ipoc')]),
      ),
    },
    nonUsEquivalents: {
      rcpscSection2SelfLearning: amountView(equivalents.rcpscSection2SelfLearning, 'ipoc'),
      ecmec: amountView(equivalents.ecmec, 'ipoc'),
    },
  };
}

export interface DeadlineView {
  activity: Activity;
  earnedYear: number;
  claimDeadline: string;
  unclaimed: AmountView;
  expired: boolean;
}

/** R5: unclaimed credit by earned year with its claim deadline (expired years included, marked). */
export async function learnerDeadlines(
  dataSource: DataSource,
  learnerId: string,
  options: { now: Date; timeZone: string; minPosition?: bigint },
): Promise<{ learnerId: string; position: string; deadlines: DeadlineView[] }> {
  // Every learner read opens so (its signature, the projections it reads once they have
  // applied minPosition, refused if one quarantined this learner's events): alike by design.
  const { projections, position } = await projectionsAt(
    dataSource,
    ['credit-balances'],
    options.minPosition,
  );
  await assertLearnerComplete(dataSource, projections, learnerId);
  const lots = (await dataSource.query(LOTS(projections.get('credit-balances')!.schema), [
    learnerId,
  ])) as LotRow[];
  return {
    learnerId,
    position: position.toString(),
    deadlines: lots
      .map((row) => ({ row, lot: lotOf(row, options.now, options.timeZone) }))
      .filter(({ lot }) => lot.earned > lot.claimed)
      .map(({ row, lot }) => ({
        activity: row.activity,
        earnedYear: lot.earnedYear,
        claimDeadline: row.claim_deadline,
        unclaimed: amountView(lot.earned - lot.claimed, row.activity),
        expired: !lot.windowOpen,
      })),
  };
}

export interface BoardSubmissionView {
  submissionId: string;
  board: string;
  boardName: string | undefined;
  /** R8/R10: what this board receives of the claim (board review rounded to a quarter, R3). */
  credits: AmountView;
  /** R8: when the learner completed the credit reported, as the board receives it. */
  completedAt: string | null;
  status: string;
  attempt: number;
  reason: string | null;
  retryable: boolean | null;
  requestedAt: string;
  acceptedAt: string | null;
  confirmedAt: string | null;
  failedAt: string | null;
  /** R9: accepted more than 24 hours ago and not confirmed. */
  needsFollowUp: boolean;
  /** R17: reasons the submission may miss a deadline. */
  atRisk: { code: string; message: string; deadline: string }[];
}

export interface ClaimView {
  claimId: string;
  activity: Activity;
  claimedAt: string;
  claimed: AmountView;
  tag: string;
  boards: string[];
  certificate: string;
  clinicalRole: string;
  /** R11: the first and last time the learner earned credit this claim redeemed. */
  completed: { from: string; to: string } | null;
  /** R6: exact parts per earned year (they add up to `claimed`); only what boards get is rounded. */
  breakdown: { earnedYear: number; claimed: AmountView; claimDeadline: string }[];
  submissions: BoardSubmissionView[];
  certificateUrl: string;
}

interface ClaimRow {
  claim_id: string;
  learner_id: string;
  activity: Activity;
  twelfths: string;
  claimed_at: Date;
  boards: string[];
  clinical_role: string;
  certificate: string;
  breakdown: { earnedYear: number; twelfths: string; claimDeadline: string }[];
  tag: string;
  completed_from: Date | null;
  completed_to: Date | null;
}

export function submissionView(s: SubmissionRow, now: Date, timeZone: string): BoardSubmissionView {
  const status = s.status;
  return {
    submissionId: s.submission_id,
    board: s.board,
    boardName: findBoard(s.board)?.name,
    credits: amountView(BigInt(s.twelfths), s.activity),
    completedAt: s.completed_at?.toISOString() ?? null,
    status,
    attempt: s.attempt,
    reason: s.reason,
    retryable: s.retryable,
    requestedAt: s.requested_at.toISOString(),
    acceptedAt: s.accepted_at?.toISOString() ?? null,
    confirmedAt: s.confirmed_at?.toISOString() ?? null,
    failedAt: s.failed_at?.toISOString() ?? null,
    needsFollowUp: needsFollowUp(
      {
        status,
        acceptedAt: s.accepted_at ?? undefined,
        flaggedForFollowUp: s.flagged_for_follow_up,
      },
      now,
    ),
    atRisk: submissionAtRisk({
      board: s.board,
      claimedAt: s.claimed_at,
      reachedBoardAt: s.accepted_at ?? undefined,
      ...(s.completed_at === null ? {} : { completedAt: s.completed_at }),
      now,
      timeZone,
    }).map((r) => ({ code: r.code, message: r.message, deadline: r.deadline.toISOString() })),
  };
}

export function claimView(
  c: ClaimRow,
  submissions: SubmissionRow[],
  now: Date,
  timeZone: string,
): ClaimView {
  return {
    claimId: c.claim_id,
    activity: c.activity,
    claimedAt: c.claimed_at.toISOString(),
    claimed: amountView(BigInt(c.twelfths), c.activity),
    tag: claimTag(
      c.boards,
      submissions.map((s) => ({ board: s.board, status: s.status })),
    ),
    boards: c.boards,
    certificate: c.certificate,
    clinicalRole: c.clinical_role,
    completed:
      c.completed_from && c.completed_to
        ? { from: c.completed_from.toISOString(), to: c.completed_to.toISOString() }
        : null,
    breakdown: c.breakdown.map((l) => ({
      earnedYear: l.earnedYear,
      claimed: exactAmountView(BigInt(l.twelfths)),
      claimDeadline: l.claimDeadline,
    })),
    submissions: submissions.map((s) => submissionView(s, now, timeZone)),
    certificateUrl: `/v1/learners/${c.learner_id}/claims/${c.claim_id}/certificate.pdf`,
  };
}

export const CLAIM_COLUMNS = `claim_id, learner_id, activity, twelfths::text, claimed_at, boards, clinical_role, certificate, breakdown, tag, completed_from, completed_to`;
export const SUBMISSION_SELECT = `submission_id, claim_id, learner_id, board, activity, twelfths::text, claimed_at, completed_at, status, attempt,
  reason, retryable, requested_at, accepted_at, confirmed_at, failed_at, flagged_for_follow_up`;

/** R8: the learner's claims, newest first, each with its tag and every board's status. */
export async function learnerClaims(
  dataSource: DataSource,
  learnerId: string,
  options: { now: Date; timeZone: string; minPosition?: bigint },
): Promise<{ learnerId: string; position: string; claims: ClaimView[] }> {
  const { projections, position } = await projectionsAt(
    dataSource,
    ['claims'],
    options.minPosition,
  );
  await assertLearnerComplete(dataSource, projections, learnerId);
  const schema = projections.get('claims')!.schema;
  const [claims, submissions] = await Promise.all([
    dataSource.query(
      `SELECT ${CLAIM_COLUMNS} FROM ${schema}.claims WHERE learner_id = $1 ORDER BY claimed_at DESC, claim_id`,
      [learnerId],
    ) as Promise<ClaimRow[]>,
    dataSource.query(
      `SELECT ${SUBMISSION_SELECT} FROM ${schema}.board_submissions WHERE learner_id = $1 ORDER BY board`,
      [learnerId],
    ) as Promise<SubmissionRow[]>,
  ]);
  return {
    learnerId,
    position: position.toString(),
    claims: claims.map((c) =>
      claimView(
        c,
        submissions.filter((s) => s.claim_id === c.claim_id),
        options.now,
        options.timeZone,
      ),
    ),
  };
}

export type { ClaimRow };

/**
 * R8: submissions whose correction is unfinished (the board was unreachable for the deletion or
 * the resubmission): what the process's sweep takes up again.
 */
export async function unfinishedCorrections(
  dataSource: DataSource,
  limit = 500,
): Promise<{ submissionId: string; learnerId: string }[]> {
  const { projections } = await projectionsAt(dataSource, ['claims'], undefined, 0).catch(() => ({
    projections: undefined,
  }));
  const schema = projections?.get('claims')?.schema;
  if (!schema) return [];
  const rows = (await dataSource.query(
    `SELECT submission_id, learner_id FROM ${schema}.board_submissions WHERE status = 'correcting' ORDER BY requested_at LIMIT $1`,
    [limit],
  )) as { submission_id: string; learner_id: string }[];
  return rows.map((r) => ({ submissionId: r.submission_id, learnerId: r.learner_id }));
}

/** R9: submissions a board accepted and has not confirmed yet (what the process sweeps). */
export async function acceptedUnconfirmedSubmissions(
  dataSource: DataSource,
  limit = 500,
): Promise<string[]> {
  const { projections } = await projectionsAt(dataSource, ['claims'], undefined, 0).catch(() => ({
    projections: undefined,
  }));
  const schema = projections?.get('claims')?.schema;
  if (!schema) return [];
  const rows = (await dataSource.query(
    `SELECT submission_id FROM ${schema}.board_submissions WHERE status = 'accepted' ORDER BY accepted_at LIMIT $1`,
    [limit],
  )) as { submission_id: string }[];
  return rows.map((r) => r.submission_id);
}

import { amountView, calendarDate, type Activity, type AmountView } from '@ledger/domain';
import type { DataSource } from 'typeorm';
import type { SubmissionRow } from '../projections/claims.projection';
import {
  CLAIM_COLUMNS,
  claimView,
  SUBMISSION_SELECT,
  type ClaimRow,
  type ClaimView,
} from './learner-queries';
import { projectionsAt, quarantinedEvents, type QuarantinedEvent } from './projection-positions';

/** An opaque cursor: the last row's sort key. */
export const encodeCursor = (key: unknown[]): string =>
  Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

export function decodeCursor(cursor: string | undefined, arity: number): unknown[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((k) => typeof k === 'string' || typeof k === 'number')
    )
      return key;
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('cursor is not one this API gave out');
  }
}

/** What every report page is asked with: "today" (`now` in `timeZone`), the page, the position. */
export interface ReportPageOptions {
  now: Date;
  timeZone: string;
  limit: number;
  cursor?: string;
  minPosition?: bigint;
}

/** A page of a report, read at `position`; `incomplete`: events the read models quarantined. */
export interface ReportPage<Item> {
  position: string;
  items: Item[];
  nextCursor: string | null;
  incomplete: QuarantinedEvent[];
}

export interface ExpiringRow {
  learnerId: string;
  activity: Activity;
  earnedYear: number;
  claimDeadline: string;
  unclaimed: AmountView;
}

/**
 * R5: the bound of an expiring report, named so it reads right: claim deadlines strictly before
 * a day, or up to and including a day (`through`: a deadline on that very day is in).
 */
export type DeadlineBound = { deadlineBefore: string } | { deadlineOnOrBefore: string };

/** R5: unclaimed credit whose claim deadline falls within the bound, across learners, soonest first. */
export async function expiringReport(
  dataSource: DataSource,
  options: ReportPageOptions & { bound: DeadlineBound },
): Promise<ReportPage<ExpiringRow> & { bound: DeadlineBound }> {
  // Every report opens so (its signature, the projection it reads once it has applied
  // minPosition, the page after the cursor): alike with submissionsReport's by design.
  const { projections, position } = await projectionsAt(
    dataSource,
    ['credit-balances'],
    options.minPosition,
  );
  const schema = projections.get('credit-balances')!.schema;
  const after = decodeCursor(options.cursor, 4);
  const today = calendarDate(options.now, options.timeZone);
  const rows = (await dataSource.query(
    `SELECT learner_id, activity, earned_year, to_char(claim_deadline, 'YYYY-MM-DD') AS claim_deadline,
            (earned - claimed)::text AS unclaimed
       FROM ${schema}.credit_lots
      WHERE earned > claimed AND claim_deadline ${'deadlineBefore' in options.bound ? '<' : '<='} $1::date
        AND claim_deadline >= $2::date
        ${after ? 'AND (claim_deadline, learner_id, activity, earned_year) > ($4::date, $5, $6, $7)' : ''}
      ORDER BY claim_deadline, learner_id, activity, earned_year
      LIMIT $3`,
    [
      'deadlineBefore' in options.bound
        ? options.bound.deadlineBefore
        : options.bound.deadlineOnOrBefore,
      today,
      options.limit + 1,
      ...(after ?? []),
    ],
  )) as {
    learner_id: string;
    activity: Activity;
    earned_year: number;
    claim_deadline: string;
    unclaimed: string;
  }[];
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    position: position.toString(),
    bound: options.bound,
    incomplete: await quarantinedEvents(dataSource, projections),
    items: page.map((r) => ({
      learnerId: r.learner_id,
      activity: r.activity,
      earnedYear: r.earned_year,
      claimDeadline: r.claim_deadline,
      unclaimed: amountView(BigInt(r.unclaimed), r.activity),
    })),
    nextCursor:
      rows.length > options.limit && last
        ? encodeCursor([last.claim_deadline, last.learner_id, last.activity, last.earned_year])
        : null,
  };
}

/** R8/R17: claims with their tags and board statuses, filtered by tag, board and claim date. */
export async function submissionsReport(
  dataSource: DataSource,
  options: ReportPageOptions & { tag?: string; board?: string; from?: Date; to?: Date },
): Promise<ReportPage<ClaimView & { learnerId: string }>> {
  const { projections, position } = await projectionsAt(
    dataSource,
    ['claims'],
    options.minPosition,
  );
  const schema = projections.get('claims')!.schema;
  const after = decodeCursor(options.cursor, 2);
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (options.tag) where.push(`tag = ${param(options.tag)}`);
  if (options.board) where.push(`${param(options.board)} = ANY (boards)`);
  if (options.from) where.push(`claimed_at >= ${param(options.from.toISOString())}`);
  if (options.to) where.push(`claimed_at < ${param(options.to.toISOString())}`);
  if (after)
    where.push(
      `(claimed_at, claim_id) > (${param(after[0])}::timestamptz, ${param(after[1])}::uuid)`,
    );
  const claims = (await dataSource.query(
    `SELECT ${CLAIM_COLUMNS} FROM ${schema}.claims ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY claimed_at, claim_id LIMIT ${param(options.limit + 1)}`,
    params,
  )) as ClaimRow[];
  const page = claims.slice(0, options.limit);
  const submissions = page.length
    ? ((await dataSource.query(
        `SELECT ${SUBMISSION_SELECT} FROM ${schema}.board_submissions
          WHERE (learner_id, claim_id) IN (SELECT * FROM unnest($1::text[], $2::uuid[]))`,
        [page.map((c) => c.learner_id), page.map((c) => c.claim_id)],
      )) as SubmissionRow[])
    : [];
  const last = page[page.length - 1];
  return {
    position: position.toString(),
    // Events the read models could not apply (quarantined): the report may miss their learners' rows.
    incomplete: await quarantinedEvents(dataSource, projections),
    items: page.map((c) => ({
      learnerId: c.learner_id,
      ...claimView(
        c,
        submissions.filter((s) => s.learner_id === c.learner_id && s.claim_id === c.claim_id),
        options.now,
        options.timeZone,
      ),
    })),
    nextCursor:
      claims.length > options.limit && last
        ? encodeCursor([last.claimed_at.toISOString(), last.claim_id])
        : null,
  };
}

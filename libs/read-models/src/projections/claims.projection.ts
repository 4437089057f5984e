import {
  claimTag,
  evolveBoardSubmission,
  initialBoardSubmissionState,
  parseTwelfths,
  twelfthsToJson,
  type ActiveBoardSubmission,
  type Activity,
  type BoardSubmissionEvent,
  type BoardSubmissionStatus,
} from '@ledger/domain';
import type { EntityManager } from 'typeorm';
import type { ProjectedEvent, Projection } from '../projection';

/** R8: as the domain names it. */
export type SubmissionStatus = BoardSubmissionStatus;

/** One board submission as the read side keeps it. */
export interface SubmissionRow {
  submission_id: string;
  claim_id: string;
  learner_id: string;
  board: string;
  activity: Activity;
  twelfths: string;
  claimed_at: Date;
  /** R8: when the learner completed the credit reported (null in submissions recorded before). */
  completed_at: Date | null;
  status: SubmissionStatus;
  attempt: number;
  reason: string | null;
  retryable: boolean | null;
  requested_at: Date;
  accepted_at: Date | null;
  confirmed_at: Date | null;
  failed_at: Date | null;
  flagged_for_follow_up: boolean;
}

/**
 * The read side's fold of one submission's events: the domain's own fold
 * (`evolveBoardSubmission`, the one the decider decides on), seen as a row. A row keeps what
 * the read side shows: the current attempt, and its failure only while it stands.
 */
export function foldSubmission(
  row: SubmissionRow | undefined,
  event: BoardSubmissionEvent,
): SubmissionRow | undefined {
  const state = evolveBoardSubmission(
    row ? submissionStateOf(row) : initialBoardSubmissionState(),
    event,
  );
  return state.status === 'not-requested' ? undefined : submissionRowOf(state);
}

function submissionRowOf(state: ActiveBoardSubmission): SubmissionRow {
  const failure = state.status === 'failed' ? state.lastFailure : undefined;
  return {
    submission_id: state.submissionId,
    claim_id: state.claimId,
    learner_id: state.learnerId,
    board: state.board,
    activity: state.activity,
    twelfths: twelfthsToJson(state.twelfths),
    claimed_at: state.claimedAt,
    completed_at: state.completedAt ?? null,
    status: state.status,
    attempt: state.attempt,
    reason: failure?.reason ?? state.awaitingConsent?.reason ?? null,
    retryable: failure?.retryable ?? null,
    requested_at: state.requestedAt,
    accepted_at: state.acceptedAt ?? null,
    confirmed_at: state.confirmedAt ?? null,
    failed_at: failure?.at ?? null,
    flagged_for_follow_up: state.flaggedForFollowUp,
  };
}

/**
 * A stored row as the domain's state (the row keeps no profile versions, combined records or
 * correction steps: none are shown, and none changes what a later event makes of the row). A
 * field-by-field mapping of its own row, alike in shape with other row mappers only.
 */
function submissionStateOf(row: SubmissionRow): ActiveBoardSubmission {
  return {
    status: row.status,
    submissionId: row.submission_id,
    learnerId: row.learner_id,
    claimId: row.claim_id,
    board: row.board,
    activity: row.activity,
    twelfths: parseTwelfths(row.twelfths),
    claimedAt: row.claimed_at,
    completedAt: row.completed_at ?? undefined,
    requestedAt: row.requested_at,
    attempt: row.attempt,
    attemptProfileVersion: undefined,
    acceptedAt: row.accepted_at ?? undefined,
    confirmedAt: row.confirmed_at ?? undefined,
    lastFailure:
      row.status === 'failed' && row.failed_at !== null
        ? {
            attempt: row.attempt,
            reason: row.reason ?? '',
            retryable: row.retryable ?? false,
            at: row.failed_at,
            profileVersion: undefined,
          }
        : undefined,
    flaggedForFollowUp: row.flagged_for_follow_up,
    awaitingConsent:
      row.status === 'awaiting-consent'
        ? { reason: row.reason ?? '', since: row.requested_at }
        : undefined,
    // What the read side does not show: the process reads them from the stream itself.
    reportedWith: undefined,
    combined: [],
    correction: row.status === 'correcting' ? { reason: '', recordDeleted: false } : undefined,
  };
}

const SUBMISSION_COLUMNS = [
  'submission_id',
  'claim_id',
  'learner_id',
  'board',
  'activity',
  'twelfths',
  'claimed_at',
  'completed_at',
  'status',
  'attempt',
  'reason',
  'retryable',
  'requested_at',
  'accepted_at',
  'confirmed_at',
  'failed_at',
  'flagged_for_follow_up',
] as const;
const SUBMISSION_TYPES = [
  'uuid',
  'uuid',
  'text',
  'text',
  'text',
  'bigint',
  'timestamptz',
  'timestamptz',
  'text',
  'int',
  'text',
  'bool',
  'timestamptz',
  'timestamptz',
  'timestamptz',
  'timestamptz',
  'bool',
] as const;

/**
 * R8/R9/R16/R17/R11/R12: claims with their tag, and each board submission's status, reason
 * and dates. MOC points and non-US equivalents are read from these rows at query time.
 */
export class ClaimsProjection implements Projection {
  readonly name = 'claims';

  /**
   * A claim is unique per learner (claim ids are assigned per learner, and claims recorded
   * before that may share an id across learners): rows are keyed by (learner_id, claim_id).
   */
  async createTables(manager: EntityManager, schema: string): Promise<void> {
    await manager.query(`
      CREATE TABLE ${schema}.claims (
        learner_id      text        NOT NULL,
        claim_id        uuid        NOT NULL,
        activity        text        NOT NULL,
        twelfths        bigint      NOT NULL,
        claimed_at      timestamptz NOT NULL,
        boards          text[]      NOT NULL,
        clinical_role   text        NOT NULL,
        certificate     text        NOT NULL,
        profile_version integer     NOT NULL,
        breakdown       jsonb       NOT NULL,
        tag             text        NOT NULL,
        position        bigint      NOT NULL,
        completed_from  timestamptz,
        completed_to    timestamptz,
        PRIMARY KEY (learner_id, claim_id)
      );
      CREATE INDEX ON ${schema}.claims (learner_id, claimed_at);
      CREATE INDEX ON ${schema}.claims (tag, claimed_at, claim_id);
      CREATE TABLE ${schema}.board_submissions (
        submission_id         uuid        PRIMARY KEY,
        claim_id              uuid        NOT NULL,
        learner_id            text        NOT NULL,
        board                 text        NOT NULL,
        activity              text        NOT NULL,
        twelfths              bigint      NOT NULL,
        claimed_at            timestamptz NOT NULL,
        completed_at          timestamptz,
        status                text        NOT NULL,
        attempt               integer     NOT NULL,
        reason                text,
        retryable             boolean,
        requested_at          timestamptz NOT NULL,
        accepted_at           timestamptz,
        confirmed_at          timestamptz,
        failed_at             timestamptz,
        flagged_for_follow_up boolean     NOT NULL
      );
      CREATE INDEX ON ${schema}.board_submissions (learner_id, claim_id);
      CREATE INDEX ON ${schema}.board_submissions (board, status);`);
  }

  /** Generations made before claims were keyed per learner: same layout, in place. */
  async upgradeTables(manager: EntityManager, schema: string): Promise<void> {
    await manager.query(`
      ALTER TABLE ${schema}.claims ADD COLUMN IF NOT EXISTS completed_from timestamptz;
      ALTER TABLE ${schema}.claims ADD COLUMN IF NOT EXISTS completed_to timestamptz;
      ALTER TABLE ${schema}.board_submissions ADD COLUMN IF NOT EXISTS completed_at timestamptz;
      CREATE INDEX IF NOT EXISTS board_submissions_learner_claim
        ON ${schema}.board_submissions (learner_id, claim_id);`);
    const [key] = (await manager.query(
      `SELECT array_agg(a.attname::text ORDER BY a.attname) AS columns
         FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.conrelid = $1::regclass AND c.contype = 'p'`,
      [`${schema}.claims`],
    )) as { columns: string[] | null }[];
    if (key?.columns?.join(',') !== 'claim_id,learner_id') {
      await manager.query(`
        ALTER TABLE ${schema}.claims DROP CONSTRAINT IF EXISTS claims_pkey;
        ALTER TABLE ${schema}.claims ADD PRIMARY KEY (learner_id, claim_id);`);
    }
  }

  async apply(
    manager: EntityManager,
    schema: string,
    events: readonly ProjectedEvent[],
  ): Promise<void> {
    const claims: unknown[][] = [];
    const touched = new Map<string, BoardSubmissionEvent[]>();
    for (const { event, learnerId, recorded } of events) {
      if (!event) continue;
      if (event.type === 'CreditClaimed' && learnerId) {
        const d = event.data;
        claims.push([
          d.claimId,
          learnerId,
          d.activity,
          d.twelfths,
          d.occurredAt,
          `{${d.boards.map((b) => `"${b}"`).join(',')}}`,
          d.clinicalRole,
          d.certificate,
          d.profileVersion,
          JSON.stringify(d.breakdown),
          claimTag(d.boards, []), // R8: at claim time no board has answered yet
          recorded.position.toString(),
          d.completedFrom ?? null,
          d.completedTo ?? null,
        ]);
      } else if (event.type.startsWith('Board')) {
        const submission = event as BoardSubmissionEvent;
        const list = touched.get(submission.data.submissionId) ?? [];
        list.push(submission);
        touched.set(submission.data.submissionId, list);
      }
    }
    if (claims.length > 0) {
      const columns = (i: number) => claims.map((c) => c[i]);
      // A redelivered claim changes nothing.
      await manager.query(
        `INSERT INTO ${schema}.claims (claim_id, learner_id, activity, twelfths, claimed_at, boards, clinical_role,
                                       certificate, profile_version, breakdown, tag, position, completed_from, completed_to)
         SELECT u.c0, u.c1, u.c2, u.c3, u.c4, u.c5::text[], u.c6, u.c7, u.c8, u.c9, u.c10, u.c11, u.c12, u.c13
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[], $6::text[], $7::text[],
                       $8::text[], $9::int[], $10::jsonb[], $11::text[], $12::bigint[], $13::timestamptz[], $14::timestamptz[])
                AS u(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13)
         ON CONFLICT (learner_id, claim_id) DO NOTHING`,
        Array.from({ length: 14 }, (_, i) => columns(i)),
      );
    }
    if (touched.size === 0) return;
    const ids = [...touched.keys()];
    const existing: SubmissionRow[] = await manager.query(
      `SELECT ${SUBMISSION_COLUMNS.join(', ')}, twelfths::text AS twelfths FROM ${schema}.board_submissions WHERE submission_id = ANY($1::uuid[])`,
      [ids],
    );
    const rows = new Map(existing.map((r) => [r.submission_id, r]));
    for (const [id, list] of touched) {
      let row = rows.get(id);
      for (const event of list) row = foldSubmission(row, event);
      if (row) rows.set(id, row);
    }
    const changed = ids
      .map((id) => rows.get(id))
      .filter((r): r is SubmissionRow => r !== undefined);
    if (changed.length > 0) {
      await manager.query(
        `INSERT INTO ${schema}.board_submissions AS s (${SUBMISSION_COLUMNS.join(', ')})
         SELECT * FROM unnest(${SUBMISSION_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
         ON CONFLICT (submission_id) DO UPDATE SET
           ${SUBMISSION_COLUMNS.filter((c) => c !== 'submission_id')
             .map((c) => `${c} = EXCLUDED.${c}`)
             .join(', ')}`,
        SUBMISSION_COLUMNS.map((c) => changed.map((r) => valueOf(r[c]))),
      );
    }
    // R8: the tags of the claims (learner, claim) whose submissions changed.
    const keys = [
      ...new Map(changed.map((r) => [`${r.learner_id}\u0000${r.claim_id}`, r])).values(),
    ];
    const learners = keys.map((r) => r.learner_id);
    const claimIds = keys.map((r) => r.claim_id);
    const [claimRows, statusRows] = await Promise.all([
      manager.query(
        `SELECT c.learner_id, c.claim_id, c.boards FROM ${schema}.claims c
           JOIN unnest($1::text[], $2::uuid[]) AS k(learner_id, claim_id) USING (learner_id, claim_id)`,
        [learners, claimIds],
      ) as Promise<{ learner_id: string; claim_id: string; boards: string[] }[]>,
      manager.query(
        `SELECT s.learner_id, s.claim_id, s.board, s.status FROM ${schema}.board_submissions s
           JOIN unnest($1::text[], $2::uuid[]) AS k(learner_id, claim_id) USING (learner_id, claim_id)`,
        [learners, claimIds],
      ) as Promise<
        { learner_id: string; claim_id: string; board: string; status: SubmissionStatus }[]
      >,
    ]);
    if (claimRows.length === 0) return;
    const tags = claimRows.map((c) =>
      claimTag(
        c.boards,
        statusRows.filter((s) => s.learner_id === c.learner_id && s.claim_id === c.claim_id),
      ),
    );
    await manager.query(
      `UPDATE ${schema}.claims c SET tag = u.tag
         FROM unnest($1::text[], $2::uuid[], $3::text[]) AS u(learner_id, claim_id, tag)
        WHERE c.learner_id = u.learner_id AND c.claim_id = u.claim_id`,
      [claimRows.map((c) => c.learner_id), claimRows.map((c) => c.claim_id), tags],
    );
  }
}

function valueOf(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

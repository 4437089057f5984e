import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import type { Api, Claim, Projection, RetryAnswer, Submission } from './api';
import { activityName, credits, instant } from './format';
import { messageOf, RefreshableTable, useLoadOnShow } from './ui';

/** Lag is counted in events, up to this many (the log is read after the projection's position). */
const LAG_COUNT_LIMIT = 1000;

interface ProjectionRow extends Projection {
  behind: string;
}

export function AdminView(props: { api: Api }) {
  return (
    <>
      <Projections api={props.api} />
      <FailedSubmissions api={props.api} />
    </>
  );
}

function Projections(props: { api: Api }) {
  const [load, reload] = useLoadOnShow<ProjectionRow[]>(async () => {
    const { projections } = await props.api.projections();
    return Promise.all(
      projections.map(async (p) => {
        const after = await props.api.log(p.position, LAG_COUNT_LIMIT);
        const n = after.events.length;
        const behind =
          n === 0
            ? 'Caught up'
            : n < LAG_COUNT_LIMIT
              ? `${n} events behind`
              : `${LAG_COUNT_LIMIT}+ events behind`;
        return { ...p, behind };
      }),
    );
  });
  const [message, setMessage] = useState<string>();
  const rebuild = async (name: string) => {
    if (!window.confirm(`Rebuild ${name} from the start of the log? It keeps answering meanwhile.`))
      return;
    try {
      await props.api.rebuild(name);
      setMessage(`Rebuild of ${name} requested.`);
      reload();
    } catch (error) {
      setMessage(`Rebuild of ${name} refused: ${messageOf(error)}`);
    }
  };
  const column = createColumnHelper<ProjectionRow>();
  const columns = [
    column.accessor('name', { header: 'Projection' }),
    column.accessor('position', { header: 'Position' }),
    column.accessor('behind', { header: 'Lag' }),
    column.accessor('eventsApplied', { header: 'Events applied' }),
    column.accessor((p) => String(p.quarantinedEvents), {
      id: 'quarantined',
      header: 'Quarantined',
    }),
    column.accessor((p) => (p.failure ? `${p.failedEvent ?? ''}: ${p.failure}` : 'None'), {
      id: 'failure',
      header: 'Last failure',
    }),
    column.accessor(
      (p) =>
        p.rebuildRequestedAt
          ? `since ${instant(p.rebuildRequestedAt)} at ${p.rebuildPosition ?? '0'}`
          : 'No',
      {
        id: 'rebuild',
        header: 'Rebuilding',
      },
    ),
    column.display({
      id: 'action',
      header: 'Action',
      cell: (c) => (
        <button
          type="button"
          className="secondary"
          onClick={() => void rebuild(c.row.original.name)}
        >
          Rebuild <span className="visually-hidden">{c.row.original.name}</span>
        </button>
      ),
    }),
  ];
  return (
    <section aria-labelledby="projections-heading">
      <h2 id="projections-heading">Projections</h2>
      <RefreshableTable
        load={load}
        reload={reload}
        what="the projections"
        status={message}
        caption="Read-model projections: position and lag behind the log"
        columns={columns}
        empty="No projections."
        testId="projections"
      />
    </section>
  );
}

interface FailedRow {
  claim: Claim;
  submission: Submission;
}

function FailedSubmissions(props: { api: Api }) {
  const [load, reload] = useLoadOnShow<FailedRow[]>(async () => {
    const page = await props.api.submissions({ tag: 'Rejected', limit: '200' });
    return page.items.flatMap((claim) =>
      claim.submissions
        .filter((s) => s.status === 'failed')
        .map((submission) => ({ claim, submission })),
    );
  });
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const retry = async (id: string) => {
    setAnswers((a) => ({ ...a, [id]: 'Retrying…' }));
    let text: string;
    try {
      const answer: RetryAnswer = await props.api.retry(id);
      text =
        answer.status === 'failed'
          ? `Attempt ${answer.attempt} failed at once: ${answer.reason ?? 'no reason given'}`
          : `Attempt ${answer.attempt} ${answer.status}: the board process sends it now.`;
    } catch (error) {
      text = `Retry refused: ${messageOf(error)}`;
    }
    setAnswers((a) => ({ ...a, [id]: text }));
  };
  const column = createColumnHelper<FailedRow>();
  const columns = [
    column.accessor((r) => r.claim.learnerId ?? '', {
      id: 'learner',
      header: 'Learner',
      cell: (c) => <span className="nowrap">{String(c.getValue())}</span>,
    }),
    column.accessor((r) => `${activityName(r.claim.activity)}, ${credits(r.claim.claimed)}`, {
      id: 'claim',
      header: 'Claim',
    }),
    column.accessor((r) => r.submission.board, { id: 'board', header: 'Board' }),
    column.accessor((r) => `${r.submission.attempt}`, { id: 'attempt', header: 'Attempt' }),
    column.accessor((r) => instant(r.submission.failedAt), { id: 'failedAt', header: 'Failed' }),
    column.accessor((r) => r.submission.reason ?? '—', { id: 'reason', header: 'Reason' }),
    column.display({
      id: 'retry',
      header: 'Retry',
      cell: (c) => {
        const id = c.row.original.submission.submissionId;
        return (
          <>
            <button
              type="button"
              onClick={() => void retry(id)}
              disabled={answers[id] === 'Retrying…'}
            >
              Retry <span className="visually-hidden">submission {id}</span>
            </button>
            {answers[id] ? (
              <p className="note" role="status">
                {answers[id]}
              </p>
            ) : null}
          </>
        );
      },
    }),
  ];
  return (
    <section aria-labelledby="failed-heading">
      <h2 id="failed-heading">Failed board submissions</h2>
      <p>
        Correct the learner's profile first (the board's reason says what it could not match); a
        retry sends the corrected profile as a new attempt.
      </p>
      <RefreshableTable
        load={load}
        reload={reload}
        what="the failed submissions"
        caption="Rejected claims' failed submissions"
        columns={columns}
        empty="No failed submissions."
        testId="failed"
      />
    </section>
  );
}

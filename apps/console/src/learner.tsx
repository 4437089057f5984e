import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import type { ActivityBalance, Api, Claim, Credits, Deadline } from './api';
import { activityName, credits, download, instant } from './format';
import { DataTable, LearnerIdField, Loaded, messageOf, Tag, useLoad } from './ui';

interface LearnerData {
  credits: Credits;
  deadlines: Deadline[];
  claims: Claim[];
}

/** Compliance: one learner's credits, deadlines, MOC points, claims, board statuses, certificates. */
export function LearnerView(props: { api: Api }) {
  const [learnerId, setLearnerId] = useState('');
  const [load, start] = useLoad<LearnerData>();
  const find = (event: FormEvent) => {
    event.preventDefault();
    const id = learnerId.trim();
    if (!id) return;
    void start(async () => {
      const [c, d, cl] = await Promise.all([
        props.api.credits(id),
        props.api.deadlines(id),
        props.api.claims(id),
      ]);
      return { credits: c, deadlines: d.deadlines, claims: cl.claims };
    });
  };
  return (
    <section aria-labelledby="learner-heading">
      <h2 id="learner-heading">Find a learner</h2>
      <form className="inline-form" onSubmit={find}>
        <LearnerIdField value={learnerId} onChange={setLearnerId} />
        <button type="submit">Find</button>
      </form>
      <Loaded load={load} what="the learner">
        {(data) => <Learner api={props.api} data={data} />}
      </Loaded>
    </section>
  );
}

const balanceColumns = createColumnHelper<[string, ActivityBalance]>();
const BALANCE_COLUMNS = [
  balanceColumns.accessor((row) => activityName(row[0]), { id: 'activity', header: 'Activity' }),
  balanceColumns.accessor((row) => credits(row[1].earned), { id: 'earned', header: 'Earned' }),
  balanceColumns.accessor((row) => credits(row[1].claimed), { id: 'claimed', header: 'Claimed' }),
  balanceColumns.accessor((row) => credits(row[1].unclaimed), {
    id: 'unclaimed',
    header: 'Unclaimed',
  }),
  balanceColumns.accessor((row) => credits(row[1].expired), { id: 'expired', header: 'Expired' }),
];

/** Each activity's earned / claimed / unclaimed / expired credit, as the API gives it. */
export function Balances(props: { credits: Credits; caption: string }) {
  const c = props.credits;
  const equivalents = Object.entries(c.nonUsEquivalents ?? {});
  return (
    <>
      <DataTable
        caption={props.caption}
        columns={BALANCE_COLUMNS}
        data={Object.entries(c.activities)}
        empty="No activity."
        testId="balances"
      />
      <dl className="facts">
        <div>
          <dt>MOC points</dt>
          <dd data-testid="moc-total">{credits(c.mocPoints.total)}</dd>
        </div>
        {Object.entries(c.mocPoints.byBoard).map(([board, amount]) => (
          <div key={board}>
            <dt>MOC points, {board}</dt>
            <dd>{credits(amount)}</dd>
          </div>
        ))}
        {equivalents.map(([name, amount]) => (
          <div key={name}>
            <dt>{EQUIVALENT_NAMES[name] ?? name}</dt>
            <dd>{credits(amount)}</dd>
          </div>
        ))}
        <div>
          <dt>As of</dt>
          <dd>
            {instant(c.asOf)} (log position {c.position})
          </dd>
        </div>
      </dl>
    </>
  );
}

const EQUIVALENT_NAMES: Record<string, string> = {
  rcpscSection2SelfLearning: 'Royal College (Canada) Section 2',
  ecmec: 'European ECMEC',
};

const deadlineColumns = createColumnHelper<Deadline>();
const DEADLINE_COLUMNS = [
  deadlineColumns.accessor((d) => activityName(d.activity), { id: 'activity', header: 'Activity' }),
  deadlineColumns.accessor('earnedYear', { header: 'Earned in' }),
  deadlineColumns.accessor((d) => credits(d.unclaimed), { id: 'unclaimed', header: 'Unclaimed' }),
  deadlineColumns.accessor('claimDeadline', { header: 'Claim by' }),
  deadlineColumns.accessor((d) => (d.expired ? 'Expired' : 'Open'), {
    id: 'state',
    header: 'State',
  }),
];

function Learner(props: { api: Api; data: LearnerData }) {
  const { data } = props;
  return (
    <div className="learner" data-testid="learner">
      <h3>
        Learner <code>{data.credits.learnerId}</code>
      </h3>
      <Balances credits={data.credits} caption="Credits per activity" />
      <DataTable
        caption="Unclaimed credit by earned year, with its claim deadline"
        columns={DEADLINE_COLUMNS}
        data={data.deadlines}
        empty="No unclaimed credit."
      />
      <ClaimsTable
        api={props.api}
        claims={data.claims}
        caption="Claims"
        learnerId={data.credits.learnerId}
      />
    </div>
  );
}

/** Claims with their tags, each board's status and reason, and the certificate. */
export function ClaimsTable(props: {
  api: Api;
  claims: Claim[];
  caption: string;
  showLearner?: boolean;
  /** The learner, when the claims are one learner's (they do not name it then). */
  learnerId?: string;
}) {
  const column = createColumnHelper<Claim>();
  const columns = [
    ...(props.showLearner
      ? [
          column.accessor((c) => c.learnerId ?? '', {
            id: 'learner',
            header: 'Learner',
            cell: (c) => <span className="nowrap">{String(c.getValue())}</span>,
          }),
        ]
      : []),
    column.accessor((c) => instant(c.claimedAt), { id: 'claimedAt', header: 'Claimed' }),
    column.accessor((c) => activityName(c.activity), { id: 'activity', header: 'Activity' }),
    column.accessor((c) => credits(c.claimed), { id: 'credits', header: 'Credits' }),
    column.display({ id: 'tag', header: 'Tag', cell: (c) => <Tag tag={c.row.original.tag} /> }),
    column.display({
      id: 'boards',
      header: 'Boards',
      cell: (c) => <BoardStatuses claim={c.row.original} />,
    }),
    column.display({
      id: 'certificate',
      header: 'Certificate',
      cell: (c) => (
        <CertificateButton
          api={props.api}
          claim={c.row.original}
          learnerId={c.row.original.learnerId ?? props.learnerId ?? ''}
        />
      ),
    }),
  ];
  return (
    <DataTable
      caption={props.caption}
      columns={columns}
      data={props.claims}
      empty="No claims."
      testId="claims"
    />
  );
}

function BoardStatuses(props: { claim: Claim }) {
  if (props.claim.submissions.length === 0) return <span>None selected</span>;
  return (
    <ul className="plain">
      {props.claim.submissions.map((s) => (
        <li key={s.submissionId}>
          <strong>{s.board}</strong>: {s.status}
          {s.attempt > 1 ? ` (attempt ${s.attempt})` : ''}
          {s.reason ? <span className="reason"> — {s.reason}</span> : null}
          {s.atRisk.map((risk) => (
            <span className="reason" key={risk.code}>
              {' '}
              — at risk: {risk.message}
            </span>
          ))}
        </li>
      ))}
    </ul>
  );
}

function CertificateButton(props: { api: Api; claim: Claim; learnerId: string }) {
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const get = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const pdf = await props.api.certificate(props.learnerId, props.claim.claimId);
      download(pdf, `certificate-${props.claim.claimId}.pdf`);
    } catch (error) {
      setProblem(messageOf(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="secondary" onClick={() => void get()} disabled={busy}>
        {busy ? 'Preparing…' : 'Download PDF'}
      </button>
      {problem ? (
        <span className="error" role="alert">
          {problem}
        </span>
      ) : null}
    </>
  );
}

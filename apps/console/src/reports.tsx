import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent, type ReactNode } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Api, Claim, ExpiringItem, Page } from './api';
import { activityName, credits, csvOf, download, fromHundredths, hundredthsOf } from './format';
import { ClaimsTable } from './learner';
import { DataTable, Loaded, messageOf, useLoad } from './ui';

const TAGS = ['Not submitted', 'Pending', 'Submitted', 'Rejected', 'Awaiting consent'] as const;
const TAG_COLOURS: Record<string, string> = {
  'Not submitted': '#6b7280',
  Pending: '#b45309',
  Submitted: '#047857',
  Rejected: '#b91c1c',
  'Awaiting consent': '#1d4ed8',
};
const PAGE_SIZE = '50';
/** CSV downloads read at most this many pages (of 500) so that a browser tab stays responsive. */
const CSV_PAGES = 20;

type Report = 'submissions' | 'expiring';

export function ReportsView(props: { api: Api }) {
  const [report, setReport] = useState<Report>('submissions');
  return (
    <section aria-labelledby="reports-heading">
      <h2 id="reports-heading">Choose a report</h2>
      <div className="segmented" role="group" aria-label="Report">
        <button
          type="button"
          aria-pressed={report === 'submissions'}
          onClick={() => setReport('submissions')}
        >
          Submissions by tag and board
        </button>
        <button
          type="button"
          aria-pressed={report === 'expiring'}
          onClick={() => setReport('expiring')}
        >
          Expiring credit · at risk of a deadline
        </button>
      </div>
      {report === 'submissions' ? (
        <SubmissionsReport api={props.api} />
      ) : (
        <ExpiringReport api={props.api} />
      )}
    </section>
  );
}

/** Pages through a report: its filters, its cursors back to the first page, and a CSV of all pages. */
function usePaged<T>(fetchPage: (query: Record<string, string>) => Promise<Page<T>>) {
  const [load, start] = useLoad<Page<T>>();
  const [cursors, setCursors] = useState<string[]>([]);
  const [filters, setFilters] = useState<Record<string, string>>({});
  const open = (next: Record<string, string>, trail: string[]) => {
    setFilters(next);
    setCursors(trail);
    const cursor = trail[trail.length - 1];
    void start(() => fetchPage({ ...next, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }));
  };
  const all = async (): Promise<T[]> => {
    const items: T[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < CSV_PAGES; page++) {
      const answer: Page<T> = await fetchPage({
        ...filters,
        limit: '500',
        ...(cursor ? { cursor } : {}),
      });
      items.push(...answer.items);
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    return items;
  };
  return {
    load,
    page: cursors.length + 1,
    search: (next: Record<string, string>) => open(next, []),
    next: (cursor: string) => open(filters, [...cursors, cursor]),
    previous: () => open(filters, cursors.slice(0, -1)),
    all,
  };
}

/** A page of a report as it loads: a CSV of all pages above what the page shows, the pager below. */
function PagedReport<T>(props: {
  paged: ReturnType<typeof usePaged<T>>;
  what: string;
  csv: () => Promise<string>;
  filename: string;
  children: (page: Page<T>) => ReactNode;
}) {
  return (
    <Loaded load={props.paged.load} what={props.what}>
      {(page) => (
        <>
          <div className="toolbar">
            <CsvButton
              label="Download CSV (all pages)"
              make={props.csv}
              filename={props.filename}
            />
          </div>
          {props.children(page)}
          <Pager
            page={props.paged.page}
            nextCursor={page.nextCursor}
            paged={props.paged as ReturnType<typeof usePaged>}
          />
        </>
      )}
    </Loaded>
  );
}

function Pager(props: {
  page: number;
  nextCursor: string | null;
  paged: ReturnType<typeof usePaged>;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button
        type="button"
        className="secondary"
        disabled={props.page === 1}
        onClick={props.paged.previous}
      >
        Previous page
      </button>
      <span>Page {props.page}</span>
      <button
        type="button"
        className="secondary"
        disabled={!props.nextCursor}
        onClick={() => props.nextCursor && props.paged.next(props.nextCursor)}
      >
        Next page
      </button>
    </nav>
  );
}

function CsvButton(props: { label: string; make: () => Promise<string>; filename: string }) {
  const [state, setState] = useState<string>();
  const go = async () => {
    setState('Preparing the CSV…');
    try {
      download(new Blob([await props.make()], { type: 'text/csv' }), props.filename);
      setState(undefined);
    } catch (error) {
      setState(`Could not prepare the CSV: ${messageOf(error)}`);
    }
  };
  return (
    <>
      <button type="button" className="secondary" onClick={() => void go()}>
        {props.label}
      </button>
      {state ? <span role="status">{state}</span> : null}
    </>
  );
}

function SubmissionsReport(props: { api: Api }) {
  const paged = usePaged<Claim>(props.api.submissions);
  const [tag, setTag] = useState('');
  const [board, setBoard] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    paged.search({
      tag,
      board: board.trim(),
      from: from ? `${from}T00:00:00Z` : '',
      to: to ? `${to}T00:00:00Z` : '',
    });
  };
  const csv = async () =>
    csvOf(
      [
        'learnerId',
        'claimId',
        'activity',
        'claimedAt',
        'credits',
        'tag',
        'board',
        'status',
        'attempt',
        'reason',
        'atRisk',
      ],
      (await paged.all()).flatMap((c) =>
        (c.submissions.length ? c.submissions : [undefined]).map((s) => [
          c.learnerId ?? '',
          c.claimId,
          c.activity,
          c.claimedAt,
          c.claimed.credits,
          c.tag,
          s?.board ?? '',
          s?.status ?? '',
          s ? String(s.attempt) : '',
          s?.reason ?? '',
          // R17: why the submission may miss a deadline (codes, `;`-separated; empty: none).
          s ? s.atRisk.map((risk) => risk.code).join(';') : '',
        ]),
      ),
    );
  return (
    <>
      <form className="filters" onSubmit={submit} aria-label="Submission filters">
        <label>
          Tag
          <select value={tag} onChange={(e) => setTag(e.target.value)}>
            <option value="">Any</option>
            {TAGS.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Board
          <input value={board} onChange={(e) => setBoard(e.target.value)} placeholder="e.g. ABIM" />
        </label>
        <label>
          Claimed from (UTC)
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          Claimed before (UTC)
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="submit">Show submissions</button>
      </form>
      <PagedReport paged={paged} what="the submissions report" csv={csv} filename="submissions.csv">
        {(page) => (
          <>
            <ClaimsCharts claims={page.items} />
            <ClaimsTable
              api={props.api}
              claims={page.items}
              caption="Claims with their tags and board statuses"
              showLearner
            />
          </>
        )}
      </PagedReport>
    </>
  );
}

/** Credit claimed per month and tags over time: sums of the API's own two-decimal figures. */
function ClaimsCharts(props: { claims: Claim[] }) {
  if (props.claims.length === 0) return null;
  const months = new Map<string, Record<string, number>>();
  for (const claim of props.claims) {
    const month = claim.claimedAt.slice(0, 7);
    const row = months.get(month) ?? { hundredths: 0 };
    row.hundredths = (row.hundredths ?? 0) + hundredthsOf(claim.claimed.credits);
    row[claim.tag] = (row[claim.tag] ?? 0) + 1;
    months.set(month, row);
  }
  const data = [...months.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, row]) => ({ ...row, month, credits: (row.hundredths ?? 0) / 100 }));
  const describe = [...months.entries()]
    .map(([month, row]) => `${month}: ${fromHundredths(row.hundredths ?? 0)} credits`)
    .join('; ');
  return (
    <div className="charts">
      <MonthlyChart
        caption="Credit claimed per month (this page)"
        label={`Credit claimed per month. ${describe}`}
        data={data}
      >
        <YAxis allowDecimals />
        <Tooltip formatter={(value) => fromHundredths(Math.round(Number(value) * 100))} />
        <Bar
          dataKey="credits"
          name="Credits"
          fill="#1d4ed8"
          maxBarSize={56}
          // Drawn at their figures at once: a growing bar shows, for a moment, a wrong one.
          isAnimationActive={false}
        />
      </MonthlyChart>
      <MonthlyChart
        caption="Claims by tag per month (this page)"
        label={`Claims by tag per month. ${data.map((d) => `${d.month}: ${TAGS.map((t) => `${(d as Record<string, unknown>)[t] ?? 0} ${t}`).join(', ')}`).join('; ')}`}
        data={data}
      >
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Legend />
        {TAGS.map((t) => (
          <Bar
            key={t}
            dataKey={t}
            stackId="tags"
            fill={TAG_COLOURS[t]}
            maxBarSize={56}
            isAnimationActive={false}
          />
        ))}
      </MonthlyChart>
    </div>
  );
}

/** A bar chart by month, as a figure whose text alternative (`label`) says its figures. */
function MonthlyChart(props: {
  caption: string;
  label: string;
  data: readonly { month: string }[];
  children: ReactNode;
}) {
  return (
    <figure>
      <figcaption>{props.caption}</figcaption>
      <div className="chart" role="img" aria-label={props.label}>
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={props.data}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="month" />
            {props.children}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

const expiringColumns = createColumnHelper<ExpiringItem>();
const EXPIRING_COLUMNS = [
  expiringColumns.accessor('learnerId', {
    header: 'Learner',
    cell: (c) => <span className="nowrap">{String(c.getValue())}</span>,
  }),
  expiringColumns.accessor((i) => activityName(i.activity), { id: 'activity', header: 'Activity' }),
  expiringColumns.accessor('earnedYear', { header: 'Earned in' }),
  expiringColumns.accessor((i) => credits(i.unclaimed), { id: 'unclaimed', header: 'Unclaimed' }),
  expiringColumns.accessor('claimDeadline', { header: 'Claim by' }),
];

const inDays = (days: number): string =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

function ExpiringReport(props: { api: Api }) {
  const paged = usePaged<ExpiringItem>(props.api.expiring);
  const [through, setThrough] = useState(inDays(90));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    paged.search({ through });
  };
  const csv = async () =>
    csvOf(
      ['learnerId', 'activity', 'earnedYear', 'claimDeadline', 'unclaimedCredits'],
      (await paged.all()).map((i) => [
        i.learnerId,
        i.activity,
        String(i.earnedYear),
        i.claimDeadline,
        i.unclaimed.credits,
      ]),
    );
  return (
    <>
      <form className="filters" onSubmit={submit} aria-label="Expiring credit filters">
        <label>
          Claim deadline on or before
          <input
            type="date"
            value={through}
            required
            onChange={(e) => setThrough(e.target.value)}
          />
        </label>
        <div className="quick" role="group" aria-label="Quick ranges">
          {[30, 90, 365, 1095].map((days) => (
            <button
              key={days}
              type="button"
              className="secondary"
              onClick={() => setThrough(inDays(days))}
            >
              {days < 365 ? `${days} days` : `${days / 365} year${days > 365 ? 's' : ''}`}
            </button>
          ))}
        </div>
        <button type="submit">Show expiring credit</button>
      </form>
      <PagedReport
        paged={paged}
        what="the expiring credit report"
        csv={csv}
        filename={`expiring-through-${through}.csv`}
      >
        {(page) => (
          <DataTable
            caption={`Unclaimed credit whose claim deadline is on or before ${through}`}
            columns={EXPIRING_COLUMNS}
            data={page.items}
            empty="No unclaimed credit has a deadline in this range."
            testId="expiring"
          />
        )}
      </PagedReport>
    </>
  );
}

import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import type { Api, Credits, Integrity, LedgerEvent, LogPage, StreamPage } from './api';
import { download, instant } from './format';
import { Balances } from './learner';
import { DataTable, LearnerIdField, Loaded, messageOf, useLoad } from './ui';

const LOG_PAGE = 50;

export function AuditView(props: { api: Api }) {
  return (
    <>
      <IntegrityCheck api={props.api} />
      <Timeline api={props.api} />
      <AsOf api={props.api} />
      <RawLog api={props.api} />
    </>
  );
}

function IntegrityCheck(props: { api: Api }) {
  const [load, start] = useLoad<Integrity>();
  return (
    <section aria-labelledby="integrity-heading">
      <h2 id="integrity-heading">Integrity</h2>
      <p>Recomputes every stream's hash chain and a digest of the whole log.</p>
      <button type="button" onClick={() => void start(props.api.integrity)}>
        Check integrity
      </button>
      <Loaded load={load} what="the integrity check">
        {(result) => (
          <div
            className={result.ok ? 'verdict ok' : 'verdict broken'}
            role="status"
            data-testid="integrity"
          >
            <strong>{result.ok ? 'Integrity OK' : 'Integrity BROKEN'}</strong>
            <span>
              {result.verification.streamsChecked} streams and {result.verification.eventsChecked}{' '}
              events checked; log digest <code className="hash">{result.log.digest}</code> up to
              position {result.log.upToPosition}.
            </span>
            {result.verification.breaks.length > 0 ? (
              <pre>{JSON.stringify(result.verification.breaks, null, 2)}</pre>
            ) : null}
          </div>
        )}
      </Loaded>
    </section>
  );
}

const short = (hash: string): string => `${hash.slice(0, 12)}…`;

function eventColumns(previousHash: (e: LedgerEvent) => string | undefined) {
  const column = createColumnHelper<LedgerEvent>();
  return [
    column.accessor('revision', { header: 'Rev.' }),
    column.accessor('position', { header: 'Position' }),
    column.accessor('type', { header: 'Event' }),
    column.accessor((e) => instant(e.recordedAt), { id: 'recordedAt', header: 'Recorded' }),
    column.accessor((e) => String(e.metadata.actor ?? '—'), { id: 'actor', header: 'Actor' }),
    column.display({
      id: 'hash',
      header: 'Hash ← previous',
      cell: (c) => {
        const e = c.row.original;
        const previous = previousHash(e);
        return (
          <span className="hash" title={e.hash}>
            {short(e.hash)}
            <br />←{' '}
            {previous ? short(previous) : e.revision === '0' ? 'start of stream' : '(earlier page)'}
          </span>
        );
      },
    }),
    column.display({
      id: 'details',
      header: 'Data and metadata',
      cell: (c) => (
        <details>
          <summary>Show</summary>
          <pre>
            {JSON.stringify(
              { metadata: c.row.original.metadata, data: c.row.original.data },
              null,
              2,
            )}
          </pre>
        </details>
      ),
    }),
  ];
}

function Timeline(props: { api: Api }) {
  const [learnerId, setLearnerId] = useState('');
  const [load, start] = useLoad<StreamPage>();
  const open = (fromRevision?: string) =>
    void start(() => props.api.stream(`learner-${learnerId.trim()}`, fromRevision));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (learnerId.trim()) open();
  };
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Learner timeline</h2>
      <form className="inline-form" onSubmit={submit}>
        <LearnerIdField value={learnerId} onChange={setLearnerId} />
        <button type="submit">Show timeline</button>
      </form>
      <Loaded load={load} what="the timeline">
        {(page) => {
          const byRevision = new Map(page.events.map((e) => [e.revision, e.hash]));
          return (
            <>
              <DataTable
                caption={`Events of ${page.streamName} (stream at revision ${page.revision})`}
                columns={eventColumns((e) => byRevision.get(String(BigInt(e.revision) - 1n)))}
                data={page.events}
                empty="No events."
                testId="timeline"
              />
              {page.nextFromRevision ? (
                <button
                  type="button"
                  className="secondary"
                  onClick={() => open(page.nextFromRevision ?? undefined)}
                >
                  Later events
                </button>
              ) : null}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

/** Datetime-local (read as UTC) to an ISO instant. */
const utcInstant = (local: string): string => `${local.length === 16 ? `${local}:00` : local}Z`;

function AsOf(props: { api: Api }) {
  const [learnerId, setLearnerId] = useState('');
  const [asOf, setAsOf] = useState(new Date().toISOString().slice(0, 19));
  const [load, start] = useLoad<Credits>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void start(() => props.api.creditsAsOf(learnerId.trim(), utcInstant(asOf)));
  };
  return (
    <section aria-labelledby="asof-heading">
      <h2 id="asof-heading">Balances as of an instant</h2>
      <p>Replays the learner's events up to the instant given (UTC), from the log itself.</p>
      <form className="inline-form" onSubmit={submit}>
        <LearnerIdField value={learnerId} onChange={setLearnerId} />
        <label>
          As of (UTC)
          <input
            type="datetime-local"
            step={1}
            value={asOf}
            onChange={(e) => setAsOf(e.target.value)}
            required
          />
        </label>
        <button type="submit">Replay</button>
      </form>
      <Loaded load={load} what="the replay">
        {(credits) => (
          <div data-testid="as-of">
            <Balances
              credits={credits}
              caption={`Credits of ${credits.learnerId} as of ${instant(credits.asOf)}`}
            />
            {credits.replay ? (
              <p className="note">
                Replayed {credits.replay.events} event{credits.replay.events === 1 ? '' : 's'} of{' '}
                {credits.replay.streams} stream{credits.replay.streams === 1 ? '' : 's'}.
              </p>
            ) : null}
          </div>
        )}
      </Loaded>
    </section>
  );
}

function RawLog(props: { api: Api }) {
  const [load, start] = useLoad<LogPage>();
  const [trail, setTrail] = useState<string[]>(['0']);
  const open = (next: string[]) => {
    setTrail(next);
    void start(() => props.api.log(next[next.length - 1] ?? '0', LOG_PAGE));
  };
  const [exportState, setExportState] = useState<string>();
  const exportLog = async () => {
    setExportState('Exporting…');
    try {
      download(await props.api.exportLog(), 'ledger-export.ndjson');
      setExportState(undefined);
    } catch (error) {
      setExportState(`Export failed: ${messageOf(error)}`);
    }
  };
  return (
    <section aria-labelledby="log-heading">
      <h2 id="log-heading">Raw log</h2>
      <div className="toolbar">
        <button type="button" onClick={() => open(['0'])}>
          Show the log from the start
        </button>
        <button type="button" className="secondary" onClick={() => void exportLog()}>
          Export the whole log (NDJSON)
        </button>
        {exportState ? <span role="status">{exportState}</span> : null}
      </div>
      <Loaded load={load} what="the log">
        {(page) => (
          <>
            <DataTable
              caption={`Events after position ${page.after}`}
              columns={eventColumns(() => undefined)}
              data={page.events}
              empty="No events after this position."
            />
            <nav className="pager" aria-label="Log pages">
              <button
                type="button"
                className="secondary"
                disabled={trail.length < 2}
                onClick={() => open(trail.slice(0, -1))}
              >
                Previous page
              </button>
              <button
                type="button"
                className="secondary"
                disabled={page.events.length < LOG_PAGE || !page.nextAfter}
                onClick={() => page.nextAfter && open([...trail, page.nextAfter])}
              >
                Next page
              </button>
            </nav>
          </>
        )}
      </Loaded>
    </section>
  );
}

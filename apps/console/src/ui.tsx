import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiProblem } from './api';

/** A table with a caption, header cells and horizontal scrolling on narrow screens. */
export function DataTable<T>(props: {
  caption: string;
  // The table library's own pattern: columns of differing value types in one array.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  columns: ColumnDef<T, any>[];
  data: T[];
  empty: string;
  testId?: string;
}) {
  const table = useReactTable({
    data: props.data,
    columns: props.columns,
    getCoreRowModel: getCoreRowModel(),
  });
  return (
    <div className="table-scroll" role="region" aria-label={props.caption} tabIndex={0}>
      <table data-testid={props.testId}>
        <caption>{props.caption}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col">
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.length === 0 ? (
            <tr>
              <td colSpan={props.columns.length} className="empty">
                {props.empty}
              </td>
            </tr>
          ) : (
            table.getRowModel().rows.map((row) => (
              <tr key={row.id}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

export type Load<T> =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'done'; value: T };

const messageOf = (error: unknown): string =>
  error instanceof ApiProblem
    ? error.message
    : error instanceof Error
      ? error.message
      : 'Something went wrong.';

/** Runs an API call and keeps its state: loading, the answer, or the message of its failure. */
export function useLoad<T>(): [Load<T>, (run: () => Promise<T>) => Promise<void>] {
  const [load, setLoad] = useState<Load<T>>({ state: 'idle' });
  const start = useCallback(async (run: () => Promise<T>) => {
    setLoad({ state: 'loading' });
    try {
      setLoad({ state: 'done', value: await run() });
    } catch (error) {
      setLoad({ state: 'error', message: messageOf(error) });
    }
  }, []);
  return [load, start];
}

/** Loads once when shown (and again on `reload`). */
export function useLoadOnShow<T>(run: () => Promise<T>): [Load<T>, () => void] {
  const [load, start] = useLoad<T>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    void start(run);
  }, [tick, start]); // `run` is read when shown and on reload only
  return [load, () => setTick((t) => t + 1)];
}

/** What a load is doing, said to screen readers too; or its content once done. */
export function Loaded<T>(props: {
  load: Load<T>;
  what: string;
  children: (value: T) => ReactNode;
}) {
  switch (props.load.state) {
    case 'idle':
      return null;
    case 'loading':
      return (
        <p className="status" role="status">
          Loading {props.what}…
        </p>
      );
    case 'error':
      return (
        <p className="error" role="alert">
          Could not load {props.what}: {props.load.message}
        </p>
      );
    case 'done':
      return <>{props.children(props.load.value)}</>;
  }
}

/**
 * A table that loads when shown: a Refresh button (and what the last action came to, as a
 * status beside it), then the rows once loaded.
 */
export function RefreshableTable<T>(props: {
  load: Load<T[]>;
  reload: () => void;
  /** What the rows are, as the loading and failure messages say it. */
  what: string;
  status?: string | undefined;
  caption: string;
  // The table library's own pattern, as DataTable's.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  columns: ColumnDef<T, any>[];
  empty: string;
  testId: string;
}) {
  return (
    <>
      <div className="toolbar">
        <button type="button" className="secondary" onClick={props.reload}>
          Refresh
        </button>
        {props.status ? <span role="status">{props.status}</span> : null}
      </div>
      <Loaded load={props.load} what={props.what}>
        {(rows) => (
          <DataTable
            caption={props.caption}
            columns={props.columns}
            data={rows}
            empty={props.empty}
            testId={props.testId}
          />
        )}
      </Loaded>
    </>
  );
}

export function Tag(props: { tag: string }) {
  return (
    <span className={`tag tag-${props.tag.toLowerCase().replace(/\s+/g, '-')}`}>{props.tag}</span>
  );
}

/** The learner id field of a form. */
export function LearnerIdField(props: { value: string; onChange: (value: string) => void }) {
  return (
    <label>
      Learner id
      <input
        name="learnerId"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        placeholder="e.g. ada-quinn"
        required
        autoComplete="off"
      />
    </label>
  );
}

export { messageOf };

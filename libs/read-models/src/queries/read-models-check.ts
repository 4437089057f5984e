import type { DataSource } from 'typeorm';

/** One reader of the log (a projection, or a process with a checkpoint) against the log's head. */
export interface ReaderCheck {
  /** `projection credit-balances`, `process board-submission`, … */
  reader: string;
  /** Its checkpoint: the position of the last event it applied. */
  position: string;
  state: 'at-head' | 'behind' | 'ahead';
  /** Why it is not at the head (null when it is). */
  reason: string | null;
  /** What to do about it, when something must be done. */
  fix: string | null;
}

export interface ReadModelsCheck {
  /** No reader ahead of the log and no projection stopped. */
  ok: boolean;
  /** Some read models do not come from this log: rebuild them (`fix` says which). */
  rebuildNeeded: boolean;
  /** The log's last readable position the checkpoints were compared with. */
  logHead: string;
  readers: ReaderCheck[];
}

interface ProjectionRow {
  name: string;
  position: string;
  failed_event: string | null;
  failure: string | null;
  rebuild_requested_at: Date | null;
  rebuild_position: string | null;
  leased: boolean;
}

interface ProcessRow {
  name: string;
  position: string;
  leased: boolean;
}

/** Whether a runner holds the session advisory lock `hashtext(key)` in this database. */
const LEASED = (key: string) => `EXISTS (
  SELECT 1 FROM pg_locks l
   WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND l.classid::bigint = ((hashtext(${key})::bigint >> 32) & 4294967295)
     AND l.objid::bigint = (hashtext(${key})::bigint & 4294967295))`;

/**
 * Every checkpoint of the read side against the log's head, as after a restore: a checkpoint
 * ahead of the head means read models that were not made from this log (restored from another
 * backup, or the log restored without them) and would pass over the events to come; one behind
 * has a reason (stopped on an event, rebuilding, catching up, or no runner), or is a problem.
 */
export async function checkReadModels(
  dataSource: DataSource,
  logHead: bigint,
): Promise<ReadModelsCheck> {
  const projections = (await dataSource.query(
    `SELECT name, live_position::text AS position, failed_event, failure, rebuild_requested_at,
            rebuild_position::text AS rebuild_position,
            ${LEASED(`'cme-ledger/projection/' || name`)} AS leased
       FROM projection_state ORDER BY name`,
  )) as ProjectionRow[];
  // process_checkpoints is this data source's (its migrations made it with projection_state).
  const processes = (await dataSource.query(
    `SELECT name, position::text AS position, ${LEASED(`'cme-ledger/process/' || name`)} AS leased
       FROM process_checkpoints ORDER BY name`,
  )) as ProcessRow[];
  const head = logHead.toString();
  const readers: ReaderCheck[] = [];
  for (const p of projections) {
    const reader = `projection ${p.name}`;
    const position = BigInt(p.position);
    if (position > logHead) {
      readers.push({
        reader,
        position: p.position,
        state: 'ahead',
        reason: `its checkpoint is after the log's head (${head}): these read models were not made from this log (restored from another backup, or the log restored without them), and would pass over events to come`,
        fix: `npm run ledger -- rebuild ${p.name} (with the API or a worker running: it rebuilds from position zero and replaces them)`,
      });
    } else if (p.failed_event !== null) {
      readers.push({
        reader,
        position: p.position,
        state: position === logHead ? 'at-head' : 'behind',
        reason: `stopped on event ${p.failed_event}: ${p.failure ?? 'failed'}`,
        fix: `fix the cause, then npm run ledger -- rebuild ${p.name}`,
      });
    } else if (position === logHead) {
      readers.push({ reader, position: p.position, state: 'at-head', reason: null, fix: null });
    } else {
      readers.push({
        reader,
        position: p.position,
        state: 'behind',
        reason: p.rebuild_requested_at
          ? `rebuilding (the new generation is at ${p.rebuild_position ?? '0'}); the live one follows the log meanwhile`
          : p.leased
            ? 'catching up: its runner is running'
            : 'not running: no API (LEDGER_RUN_PROJECTIONS) or worker holds its lease',
        fix: p.leased || p.rebuild_requested_at ? null : 'start the API or npm run worker',
      });
    }
  }
  for (const p of processes) {
    const reader = `process ${p.name}`;
    const position = BigInt(p.position);
    readers.push(
      position > logHead
        ? {
            reader,
            position: p.position,
            state: 'ahead',
            reason: `its checkpoint is after the log's head (${head}): it would pass over events to come`,
            fix: `with the process stopped: UPDATE process_checkpoints SET position = ${head} WHERE name = '${p.name}'`,
          }
        : position === logHead
          ? { reader, position: p.position, state: 'at-head', reason: null, fix: null }
          : {
              reader,
              position: p.position,
              state: 'behind',
              reason: p.leased
                ? 'catching up: it is running'
                : 'not running: no API (LEDGER_RUN_BOARD_PROCESS) or worker holds its lease',
              fix: p.leased ? null : 'start the API or npm run worker (with BOARD_GATEWAY_URL)',
            },
    );
  }
  const ahead = readers.some((r) => r.state === 'ahead');
  return {
    ok: !ahead && projections.every((p) => p.failed_event === null),
    rebuildNeeded: readers.some((r) => r.state === 'ahead' && r.reader.startsWith('projection ')),
    logHead: head,
    readers,
  };
}

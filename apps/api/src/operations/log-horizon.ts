import {
  PostgresEventStore,
  type EventStore,
  type LogHorizon,
  type LogWriter,
} from '@ledger/event-store';

/**
 * The log's readable horizon and the appends in progress, where the store can tell (the
 * PostgreSQL adapter); undefined otherwise, or when the database does not answer.
 */
export async function logHorizon(store: EventStore): Promise<LogHorizon | undefined> {
  if (!(store instanceof PostgresEventStore)) return undefined;
  try {
    return await store.horizon();
  } catch {
    return undefined;
  }
}

/** An append in progress, named as an operator finds it in pg_stat_activity. */
export function describeWriter(w: LogWriter): string {
  const who = [
    w.pid === null ? 'a prepared transaction' : `backend pid ${w.pid}`,
    `application ${w.applicationName ?? 'unknown'}`,
    `database ${w.database ?? 'unknown'}`,
  ].join(', ');
  const waiting = w.waitEvent ? `, waiting on ${w.waitEvent}` : '';
  return `${who}, open for ${(w.ageMs / 1000).toFixed(1)} s${waiting}`;
}

/** The append that holds the horizon (else the oldest), if one does. */
export function holderOf(horizon: LogHorizon): LogWriter | undefined {
  return horizon.writers.find((w) => w.holdsHorizon) ?? horizon.writers[0];
}

import { InvalidAppendError } from './errors';
import type { EventToAppend } from './event-store.port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks that every adapter makes before it writes, so that both refuse the same appends, and
 * the normal form that is hashed and stored: lower-case ids, and data and metadata exactly as
 * JSON gives them back (no undefined, no NUL characters, which PostgreSQL's jsonb refuses).
 */
export function normalizeAppend(
  streamName: string,
  events: readonly EventToAppend[],
): EventToAppend[] {
  if (streamName.length === 0 || streamName.length > 512) {
    throw new InvalidAppendError('a stream name has 1 to 512 characters');
  }
  if (streamName.startsWith('$')) {
    throw new InvalidAppendError('stream names starting with $ are reserved for the store');
  }
  if (events.length === 0) throw new InvalidAppendError(`stream ${streamName}: nothing to append`);
  const ids = new Set<string>();
  for (const e of events) {
    if (!UUID.test(e.id)) throw new InvalidAppendError(`event id ${e.id} is not a UUID`);
    const id = e.id.toLowerCase();
    if (ids.has(id)) throw new InvalidAppendError(`event id ${e.id} appears twice in one append`);
    ids.add(id);
    if (!e.type) throw new InvalidAppendError(`event ${e.id}: type is empty`);
    if (!Number.isInteger(e.schemaVersion) || e.schemaVersion < 1) {
      throw new InvalidAppendError(`event ${e.id}: schemaVersion must be a positive integer`);
    }
    for (const key of ['actor', 'correlationId', 'causationId'] as const) {
      if (typeof e.metadata?.[key] !== 'string' || e.metadata[key].length === 0) {
        throw new InvalidAppendError(`event ${e.id}: metadata.${key} is required`);
      }
    }
  }
  return events.map((e) => ({
    id: e.id.toLowerCase(),
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: jsonRoundTrip(e.data, `event ${e.id}: data`),
    metadata: jsonRoundTrip(e.metadata, `event ${e.id}: metadata`),
  }));
}

function jsonRoundTrip<T>(value: T, what: string): T {
  const text = JSON.stringify(value);
  if (text === undefined || !text.startsWith('{'))
    throw new InvalidAppendError(`${what} must be an object`);
  if (text.includes('\\u0000')) throw new InvalidAppendError(`${what} holds a NUL character`);
  return JSON.parse(text) as T;
}

import { InvalidAppendError } from './errors';
import type { EventToAppend } from './event-store.port';
import { canonicalJsonOf } from './hash-chain';

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
  checkAppend(streamName, events);
  return events.map((e) => ({
    id: e.id.toLowerCase(),
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: jsonRoundTrip(e.data, `event ${e.id}: data`),
    metadata: jsonRoundTrip(e.metadata, `event ${e.id}: metadata`),
  }));
}

/** An event in normal form with its data and metadata as canonical JSON text. */
export interface SerializedEvent {
  id: string;
  type: string;
  schemaVersion: number;
  /** canonicalJson of the data normalizeAppend gives: what is hashed and stored. */
  dataJson: string;
  metadataJson: string;
}

/**
 * normalizeAppend's checks and normal form, with data and metadata serialized once, straight
 * to the canonical JSON that the digest covers (the same text as canonicalJson of
 * normalizeAppend's data and metadata; the same appends are refused with the same errors).
 */
export function serializeAppend(
  streamName: string,
  events: readonly EventToAppend[],
): SerializedEvent[] {
  // normalizeAppend's map with text where it has values, written out rather than built from a
  // shared part: every append goes through it, and it makes one object per event.
  checkAppend(streamName, events);
  return events.map((e) => ({
    id: e.id.toLowerCase(),
    type: e.type,
    schemaVersion: e.schemaVersion,
    dataJson: canonicalObject(e.data, `event ${e.id}: data`),
    metadataJson: canonicalObject(e.metadata, `event ${e.id}: metadata`),
  }));
}

function checkAppend(streamName: string, events: readonly EventToAppend[]): void {
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
}

function jsonRoundTrip<T>(value: T, what: string): T {
  const text = JSON.stringify(value);
  checkJsonText(text, what);
  return JSON.parse(text as string) as T;
}

function canonicalObject(value: unknown, what: string): string {
  const text = canonicalJsonOf(value);
  checkJsonText(text, what);
  return text as string;
}

/**
 * The same test on JSON.stringify's text and on the canonical text: both escape strings the
 * same way (a NUL is `\u0000` in either), only the order of keys differs.
 */
function checkJsonText(text: string | undefined, what: string): void {
  if (text === undefined || !text.startsWith('{'))
    throw new InvalidAppendError(`${what} must be an object`);
  if (text.includes('\\u0000')) throw new InvalidAppendError(`${what} holds a NUL character`);
}

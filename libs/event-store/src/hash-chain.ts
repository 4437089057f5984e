import { createHash, hash } from 'node:crypto';
import type { ChainBreak, EventMetadata, JsonObject, JsonValue } from './event-store.port';

/**
 * Each stream is a hash chain. For the event at revision r:
 *
 *   digest(e) = sha256(canonicalJson([id, type, schemaVersion, data, metadata, recordedAt]))
 *   link(r)   = sha256(link(r - 1) ‖ uint64be(r) ‖ digest(e))
 *   link(-1)  = sha256("cme-ledger/stream/" ‖ streamName)
 *
 * so altering any covered field, removing an event or moving it to another revision or stream
 * changes every later link. The PostgreSQL adapter computes the digest here and the link in
 * SQL (the same formula, in the append function of its migrations); the EventStoreDB adapter
 * computes both here. Verification always recomputes here.
 */

export interface HashedEventFields {
  id: string;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: EventMetadata;
  recordedAt: Date;
}

/**
 * JSON with object keys sorted (by UTF-16 code units) at every depth: one text per value. The
 * one serializer every digest goes through (the chains, the log digest, the tree's leaves), so
 * it is written for speed: one walk, no intermediate arrays, keys sorted only when they are not
 * in order already. Its text is exactly that of the first version:
 *   scalars as JSON.stringify writes them (non-finite numbers refused); arrays as
 *   `[${items.map(canonicalJson).join(',')}]`; objects with their undefined members left out,
 *   as `{${sortedKeys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`.
 */
export function canonicalJson(value: JsonValue): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: numbers must be finite');
      // Finite numbers print as JSON.stringify prints them.
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      // Not JSON (undefined, a function): as JSON.stringify answers.
      return JSON.stringify(value);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // join() writes an undefined item as nothing.
      out += canonicalJson(value[i] as JsonValue) ?? '';
    }
    return `${out}]`;
  }
  const keys = sortedKeys(value);
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = value[k];
    if (v === undefined) continue;
    // A template literal writes a non-JSON member's undefined as "undefined", as before.
    out += `${first ? '' : ','}${quote(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * An object's own keys, sorted by UTF-16 code units. Most objects are small and their keys in
 * order already: those are not sorted again.
 */
function sortedKeys(object: object): string[] {
  const keys = Object.keys(object);
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) return keys.sort();
  }
  return keys;
}

/** The digest of an event's content: sha256 of its canonical JSON, hashed in one call. */
export function contentDigest(e: HashedEventFields): Buffer {
  const text =
    `[${canonicalJson(e.id) ?? ''},${canonicalJson(e.type) ?? ''},` +
    `${canonicalJson(e.schemaVersion) ?? ''},${canonicalJson(e.data) ?? ''},` +
    `${canonicalJson(e.metadata as JsonObject) ?? ''},${canonicalJson(e.recordedAt.toISOString())}]`;
  return hash('sha256', text, 'buffer');
}

/**
 * `canonicalJson(JSON.parse(JSON.stringify(value)))` in one walk, without the intermediate text
 * and objects: JSON.stringify's rules (toJSON is called; undefined, functions and symbols are
 * left out of objects and are null in arrays; non-finite numbers are null) with object keys
 * sorted. Undefined where JSON.stringify gives undefined. Anything unusual (boxed primitives,
 * bigints, nesting deeper than 100, cycles) takes the long way round, so that the text and the
 * errors are exactly those of stringify, parse and canonicalJson.
 */
export function canonicalJsonOf(value: unknown): string | undefined {
  try {
    return walk(value, '', 0);
  } catch (error) {
    if (error !== LONG_WAY) throw error;
    const text = JSON.stringify(value);
    return text === undefined ? undefined : canonicalJson(JSON.parse(text) as JsonValue);
  }
}

const LONG_WAY = new Error('canonicalJsonOf: take the long way');
const MAX_WALK_DEPTH = 100;
/** JSON.stringify's quoting, with a fast way for strings it writes as they are. */
function quote(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Control characters, '"', '\\' and surrogates (a lone one is escaped) need JSON.stringify.
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      return JSON.stringify(s);
    }
  }
  return `"${s}"`;
}

function walk(input: unknown, key: string, depth: number): string | undefined {
  let value = input;
  if (typeof value === 'object' && value !== null) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = (toJSON as (k: string) => unknown).call(value, key);
  }
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      // Finite numbers print as String() does, and parse back to the same number.
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint':
      throw LONG_WAY;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (depth >= MAX_WALK_DEPTH) throw LONG_WAY;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += walk(value[i], String(i), depth + 1) ?? 'null';
    }
    return `${out}]`;
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    throw LONG_WAY;
  }
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(record);
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = walk(record[k], k, depth + 1);
    if (v === undefined) continue;
    out += first ? `${quote(k)}:${v}` : `,${quote(k)}:${v}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * contentDigest from the parts' canonical JSON: `data` and `metadata` as canonicalJsonOf gives
 * them, `recordedAt` as toISOString gives it. The same bytes are hashed, so the same digest.
 */
export function contentDigestOfCanonical(
  id: string,
  type: string,
  schemaVersion: number,
  dataJson: string,
  metadataJson: string,
  recordedAtIso: string,
): Buffer {
  const text =
    `[${canonicalJson(id)},${canonicalJson(type)},${canonicalJson(schemaVersion)},` +
    `${dataJson},${metadataJson},${canonicalJson(recordedAtIso)}]`;
  return hash('sha256', text, 'buffer');
}

export function genesisHash(streamName: string): Buffer {
  return createHash('sha256').update(`cme-ledger/stream/${streamName}`, 'utf8').digest();
}

export function chainLink(previous: Buffer, revision: bigint, digest: Buffer): Buffer {
  // One buffer and one call: this runs once per event whenever a chain is verified.
  const input = Buffer.allocUnsafe(previous.length + 8 + digest.length);
  previous.copy(input, 0);
  input.writeBigUInt64BE(revision, previous.length);
  digest.copy(input, previous.length + 8);
  return hash('sha256', input, 'buffer');
}

export interface ChainedEvent extends HashedEventFields {
  revision: bigint;
  position?: bigint;
  /** Stored link, hex. */
  hash: string;
}

/** What the store says the stream's head is (its last revision and link), when it keeps one. */
export interface StreamHead {
  revision: bigint;
  hash: string;
}

/**
 * Walks one stream's events in stored revision order and names the first broken link:
 * `removed` (a revision is missing, or the head says there are more events), `reordered`
 * (an intact event found at another revision than the one it was written at), `altered`
 * (its content or link no longer matches), `head-mismatch` (the head's link differs).
 */
export function verifyChain(
  streamName: string,
  events: readonly ChainedEvent[],
  head?: StreamHead,
  /**
   * Verify from this event on instead of from the stream's start: `events` then begin at the
   * revision after `from`, and the first links from its stored link.
   */
  from?: { revision: bigint; hash: string },
): ChainBreak | undefined {
  let previous = from ? Buffer.from(from.hash, 'hex') : genesisHash(streamName);
  let expected = from ? from.revision + 1n : 0n;
  for (const e of events) {
    if (e.revision !== expected) {
      return {
        streamName,
        kind: e.revision > expected ? 'removed' : 'reordered',
        revision: expected,
        eventId: e.id,
        position: e.position,
        detail:
          e.revision > expected
            ? `revision ${expected} is missing: the next stored event has revision ${e.revision}`
            : `revision ${e.revision} is stored again where ${expected} was expected`,
      };
    }
    const digest = contentDigest(e);
    const link = chainLink(previous, e.revision, digest);
    if (link.toString('hex') !== e.hash) {
      const original = from ? undefined : originalRevision(streamName, events, e, digest);
      return {
        streamName,
        kind: original === undefined ? 'altered' : 'reordered',
        revision: e.revision,
        eventId: e.id,
        position: e.position,
        detail:
          original === undefined
            ? `event ${e.id} at revision ${e.revision} does not match its hash: content or link altered`
            : `event ${e.id} was written at revision ${original} and is now at revision ${e.revision}`,
      };
    }
    previous = Buffer.from(e.hash, 'hex');
    expected += 1n;
  }
  if (head) {
    const last = expected - 1n;
    if (head.revision > last) {
      return {
        streamName,
        kind: 'removed',
        revision: last + 1n,
        detail: `the stream's head is at revision ${head.revision} but its events end at ${last}`,
      };
    }
    if (head.revision !== last || head.hash !== previous.toString('hex')) {
      return {
        streamName,
        kind: 'head-mismatch',
        revision: head.revision,
        detail: `the stream's head (revision ${head.revision}) does not match its last event`,
      };
    }
  }
  return undefined;
}

/**
 * The revision an intact event was written at, judged from the other events' stored links
 * (its link must chain from one of them at some revision). Quadratic, so only tried on the
 * failure path of streams short enough for it; longer ones report `altered`.
 */
function originalRevision(
  streamName: string,
  events: readonly ChainedEvent[],
  e: ChainedEvent,
  digest: Buffer,
): bigint | undefined {
  if (events.length > REORDER_SEARCH_LIMIT) return undefined;
  const previousLinks = [genesisHash(streamName), ...events.map((o) => Buffer.from(o.hash, 'hex'))];
  const lastRevision = BigInt(events.length);
  for (let revision = 0n; revision <= lastRevision; revision += 1n) {
    if (revision === e.revision) continue;
    for (const prev of previousLinks) {
      if (chainLink(prev, revision, digest).toString('hex') === e.hash) return revision;
    }
  }
  return undefined;
}

const REORDER_SEARCH_LIMIT = 512;

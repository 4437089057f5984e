import fc from 'fast-check';
import { encodeSegment } from './raw-http';

/**
 * fast-check arbitraries of hostile input for the HTTP fuzz tests. Those named `invalid…` or
 * `hostile…` produce values that no field of the API accepts, so that a command built with one
 * of them must be refused (and record nothing); the others are merely awkward.
 */

/** C0 and C1 control characters (NUL, BEL, ESC, DEL, NEL, …): no field accepts one. */
const CONTROL = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
];

/** Awkward text: emoji, right-to-left marks, other scripts, lone surrogates, injection attempts. */
const AWKWARD = [
  '🩺',
  '👩🏽‍⚕️',
  '\u202e',
  '\u200f',
  '\u2028',
  '\ufeff',
  'עברית',
  'مرحبا',
  'Z̷̛a̶l̸g̵o',
  'İß ﬀ',
  '１２３',
  '٣',
  '\ud800',
  '\udfff',
  "'; DROP TABLE events;--",
  "1' OR '1'='1",
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '..\\..\\windows',
  '%2e%2e%2f',
  '%00',
  'null',
  'undefined',
  'NaN',
  '1e308',
  '-0',
];

export const awkwardText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...AWKWARD),
  fc.string({ unit: 'grapheme', maxLength: 16 }),
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.string({ maxLength: 16 }),
);

/**
 * A string that no field accepts: it holds a control character, or is empty, or is longer than
 * any field allows (`maxRepeat` bounds it, to keep a URL under the server's header limit).
 */
export const hostileString = (maxRepeat = 4000): fc.Arbitrary<string> =>
  fc.oneof(
    fc
      .tuple(awkwardText, fc.constantFrom(...CONTROL), awkwardText)
      .map(([before, control, after]) => before + control + after),
    fc.constant(''),
    fc
      .tuple(
        fc.constantFrom('x', 'é', '🩺', '\u202e', ' '),
        fc.integer({ min: 600, max: maxRepeat }),
      )
      .map(([unit, n]) => unit.repeat(n)),
  );

/** Instants that are not valid business times: impossible dates, out of range, no zone, future. */
export const invalidInstant: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0000-00-00T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '+275760-09-13T00:00:00.001Z',
    '-271821-04-19T23:59:59Z',
    '2026-02-30T00:00:00Z',
    '2026-02-29T12:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-11-31T10:00:00Z',
    '2026-11-01T25:00:00Z',
    '2026-11-01T10:60:00Z',
    '2026-06-30T23:59:60Z',
    '2026-11-01T24:00:00Z',
    '2026-11-01',
    '2026-11-01T10:00:00',
    '2026-11-01 10:00:00Z',
    '20261101T100000Z',
    '2026-11-01T10:00:00+25:00',
    '2026-11-01T10:00:00.1234567891Z',
    '2026-W44-1T10:00:00Z',
    '2026-305T10:00:00Z',
    'now',
    'Infinity',
    '1e308',
    '-0',
    '0',
    '',
  ),
  // Beyond the allowed clock skew (R15).
  fc
    .date({ min: new Date('2100-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z') })
    .filter((d) => !Number.isNaN(d.getTime()))
    .map((d) => d.toISOString()),
);

/** Calendar dates (YYYY-MM-DD) that do not exist or are not in that form. */
export const invalidCalendarDate: fc.Arbitrary<string> = fc.constantFrom(
  '2026-02-30',
  '2026-02-31',
  '2026-02-29',
  '2026-04-31',
  '0000-00-00',
  '0000-01-01',
  '2026-13-01',
  '2026-00-01',
  '10000-01-01',
  '2026-1-1',
  '26-11-01',
  '2026/11/01',
  '2026-11-01T00:00:00Z',
);

/** Numbers and number-like strings that parsers trip on. */
export const numberish: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('1e308', '-1e308', '5e-324', '-0', 'NaN', 'Infinity', '0x10', '1.5', '-1', '0'),
  fc.constantFrom('501', '1001', '9'.repeat(19), '9'.repeat(40), '00000000000000000001', '1_000'),
  fc.integer().map(String),
  fc.double().map(String),
);

/** A number outside [min, max] or not an integer (for integer fields with bounds). */
export const invalidNumber = (min: number, max: number): fc.Arbitrary<number> =>
  fc.oneof(
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: min - 1 }),
    fc.integer({ min: max + 1, max: Number.MAX_SAFE_INTEGER }),
    fc
      .double({ min, max, noNaN: true, noDefaultInfinity: true })
      .filter((d) => !Number.isInteger(d)),
    fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, ...(min > 0 ? [-0] : [])),
  );

/**
 * Path segments, already URL-encoded or deliberately not: traversal, double encoding, NUL,
 * broken percent-encoding, SQL, very long ids, other scripts.
 */
export const trickySegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '%2e%2e',
    '%2E%2E%2F',
    '..%2f..%2fetc%2fpasswd',
    '..%5c..%5cwindows',
    '%252e%252e',
    '%00',
    'a%00b',
    '%E0%A4%A',
    '%',
    '%zz',
    '%ff%fe',
    '%C0%AE%C0%AE',
    'a;b=c',
    '~',
    "'%3B%20DROP%20TABLE%20events%3B--",
  ),
  fc.constantFrom(...AWKWARD).map(encodeSegment),
  awkwardText.map(encodeSegment),
  // 600 units at most: a four-byte emoji is 12 characters encoded, and the path with its query
  // must stay under Node's 16 kB header limit (past it Node answers 431 itself).
  hostileString(600).map(encodeSegment),
  fc.integer({ min: 65, max: 3000 }).map((n) => 'a'.repeat(n)),
);

/** A deeply nested JSON text: `[[[…]]]` or `{"a":{"a":…}}` (well under the body limit). */
export class Deep {
  constructor(
    readonly depth: number,
    readonly kind: 'array' | 'object',
  ) {}
  toJsonText(): string {
    return this.kind === 'array'
      ? '['.repeat(this.depth) + ']'.repeat(this.depth)
      : '{"a":'.repeat(this.depth) + '1' + '}'.repeat(this.depth);
  }
}

export const deepValue: fc.Arbitrary<Deep> = fc.oneof(
  fc.integer({ min: 33, max: 25_000 }).map((d) => new Deep(d, 'array')),
  fc.integer({ min: 33, max: 9_000 }).map((d) => new Deep(d, 'object')),
);

/** JSON-like values whose text `toJsonText` writes; `Deep` stands for a deeply nested value. */
export type Value = null | boolean | number | string | Deep | Value[] | { [key: string]: Value };

/** JSON text of a value; own `__proto__` keys and `Deep` values survive (JSON.stringify drops neither, but recursion would overflow on Deep). */
export function toJsonText(value: Value): string {
  if (value instanceof Deep) return value.toJsonText();
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Sets an own property, even one named `__proto__`. */
export function setOwn(target: Record<string, Value>, key: string, value: Value): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Keys that should not be in a body: reserved names, look-alikes, injection, empty. */
export const oddKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'valueOf',
    'hasOwnProperty',
    '$where',
    '$ne',
    'id',
    'learnerId',
    'actor',
    'metadata',
    'type',
    'occurredAt ',
    ' occurredAt',
    'OccurredAt',
    'occurred_at',
    '',
    ' ',
    'a.b',
    'a[0]',
    '🩺',
    '\u202e',
    '\u0000',
  ),
  fc.string({ maxLength: 12 }),
);

/** Any JSON value (no `Deep`), small. */
export const anyJson: fc.Arbitrary<Value> = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Value>;

import fc from 'fast-check';
import { InvalidAppendError } from './errors';
import type { EventToAppend, JsonObject, JsonValue } from './event-store.port';
import {
  canonicalJson,
  canonicalJsonOf,
  chainLink,
  contentDigest,
  contentDigestOfCanonical,
  genesisHash,
} from './hash-chain';
import { normalizeAppend, serializeAppend } from './validate-append';

/** The long way round that canonicalJsonOf must equal: what normalizeAppend and the digest do. */
function longWay(value: unknown): string | undefined {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : canonicalJson(JSON.parse(text) as JsonValue);
}

const PINNED = {
  id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  type: 'CreditEarned',
  schemaVersion: 2,
  data: {
    twelfths: 18,
    learnerId: 'L-1',
    nested: { b: [1, 2.5, { c: null }], a: true, é: 'häppened ✓ \u2028 "q" \\ \n' },
    '10': 'x',
    '9': -0,
    big: 1e21,
    small: 5e-7,
  } as JsonObject,
  metadata: {
    actor: 'api-key:registrar/lms-sync',
    correlationId: 'c-1',
    causationId: 'c-0',
    source: 'lms-sync',
  },
  recordedAt: new Date('2025-03-04T05:06:07.089Z'),
};

describe('the content digest', () => {
  // Computed with the digest as first shipped: stored chains must keep verifying.
  it('is pinned for a known event', () => {
    expect(contentDigest(PINNED).toString('hex')).toBe(
      '77eafb86ef9a46af52e6dd00c6d0def9a982f52c3e5fce0d71066d09b563eb9b',
    );
    expect(chainLink(genesisHash('pinned-stream'), 0n, contentDigest(PINNED)).toString('hex')).toBe(
      'bc5c21a8ae47877b9b044e19175c0f9aa16d15952d4478170beb62e25ee530c8',
    );
  });

  it('is the same from the canonical texts the PostgreSQL adapter hashes and stores', () => {
    const [e] = serializeAppend('pinned-stream', [PINNED]);
    const digest = contentDigestOfCanonical(
      e!.id,
      e!.type,
      e!.schemaVersion,
      e!.dataJson,
      e!.metadataJson,
      PINNED.recordedAt.toISOString(),
    );
    expect(digest.toString('hex')).toBe(contentDigest(PINNED).toString('hex'));
  });
});

/** canonicalJson as first shipped: every stored chain was hashed with its text. */
function firstCanonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError('canonicalJson: numbers must be finite');
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(firstCanonicalJson).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${firstCanonicalJson(value[k] as JsonValue)}`).join(',')}}`;
}

describe('canonicalJson', () => {
  it('writes the text of its first version for any JSON value (stored chains keep verifying)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (v) => {
        expect(canonicalJson(v as JsonValue)).toBe(firstCanonicalJson(v as JsonValue));
      }),
      { numRuns: 1000 },
    );
  });

  it('writes keys, strings and numbers that need care as its first version did', () => {
    const tricky = {
      b: 1,
      a: undefined,
      '2': 'two',
      '10': 'ten',
      B: [1e21, 5e-7, -0, 0.1, -1.5e-300],
      é: '\u0001\ud800 lone surrogate, \udc00, 😀 pair, \u2028 "q" \\',
      '\ud83d': { z: [], y: {}, x: [null, true, false, ''] },
      nested: [{ c: 3, a: 1, b: 2 }],
    } as unknown as JsonValue;
    expect(canonicalJson(tricky)).toBe(firstCanonicalJson(tricky));
    expect(() => canonicalJson({ n: Infinity })).toThrow(TypeError);
    expect(() => canonicalJson([NaN])).toThrow(TypeError);
  });
});

describe('canonicalJsonOf', () => {
  it('equals canonicalJson after a JSON round trip, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJsonOf(v)).toBe(longWay(v));
      }),
      { numRuns: 500 },
    );
  });

  it('follows JSON.stringify for what is not JSON: undefined, toJSON, non-finite numbers, holes', () => {
    const anything = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom<unknown>(undefined, null, NaN, Infinity, -Infinity, -0, () => 1),
        fc.string({ unit: 'binary' }),
        fc.double(),
        fc.boolean(),
        fc.date({ noInvalidDate: true }),
        fc.array(tie('value')),
        fc.dictionary(fc.string({ unit: 'binary' }), tie('value')),
      ),
    }));
    fc.assert(
      fc.property(anything.value, (v) => {
        expect(canonicalJsonOf(v)).toBe(longWay(v));
      }),
      { numRuns: 500 },
    );
  });

  it('handles keys and strings that need care the same way', () => {
    const tricky: Record<string, unknown> = {
      b: 1,
      a: undefined,
      '2': 'two',
      '10': 'ten',
      é: '\u0001\ud800 lone surrogate, \udc00, 😀 pair',
      nested: [undefined, () => 0, { toJSON: (key: string) => `key ${key}` }, [new Date(0)]],
      sparse: [1, , 3], // eslint-disable-line no-sparse-arrays
    };
    Object.defineProperty(tricky, '__proto__', { value: { x: 1 }, enumerable: true });
    Object.defineProperty(tricky, 'hidden', { value: 1, enumerable: false });
    expect(canonicalJsonOf(tricky)).toBe(longWay(tricky));
    expect(canonicalJsonOf(Object.create({ inherited: 1 }) as object)).toBe('{}');
  });

  it('takes the long way for boxed primitives, deep nesting, and throws as JSON.stringify does', () => {
    const boxed = { n: new Number(3), s: new String('x'), b: new Boolean(false) };
    expect(canonicalJsonOf(boxed)).toBe(longWay(boxed));
    let deep: unknown = { leaf: true };
    for (let i = 0; i < 300; i++) deep = { z: deep, a: [i] };
    expect(canonicalJsonOf(deep)).toBe(longWay(deep));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJsonOf(cyclic)).toThrow(TypeError);
    expect(() => canonicalJsonOf({ n: 1n })).toThrow(TypeError);
  });
});

describe('serializeAppend', () => {
  const base = (data: unknown, metadata?: unknown): EventToAppend =>
    ({
      id: 'A0F8FAD5-D9CB-469F-A165-70867728950E',
      type: 'T',
      schemaVersion: 1,
      data,
      metadata: metadata ?? { actor: 'a', correlationId: 'c', causationId: 'c' },
    }) as EventToAppend;

  it('gives the canonical JSON of what normalizeAppend gives', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (data) => {
        const [n] = normalizeAppend('s', [base(data)]);
        const [s] = serializeAppend('s', [base(data)]);
        expect(s!.id).toBe(n!.id);
        expect(s!.dataJson).toBe(canonicalJson(n!.data));
        expect(s!.metadataJson).toBe(canonicalJson(n!.metadata as JsonObject));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses the same appends with the same errors', () => {
    const cases: EventToAppend[] = [
      base({ text: 'nul \u0000 here' }),
      base({ key: 'a literal \\u0000 is refused by both too' }),
      base([1, 2]),
      base(null),
      base(new Date(0)),
      base({ ok: true }, { actor: 'a', correlationId: 'c', causationId: 'c', x: '\u0000' }),
      base({ ok: true }, { actor: '', correlationId: 'c', causationId: 'c' }),
      { ...base({}), id: 'not-a-uuid' },
      { ...base({}), schemaVersion: 0 },
    ];
    for (const e of cases) {
      const n = captureError(() => normalizeAppend('s', [e]));
      const s = captureError(() => serializeAppend('s', [e]));
      expect(n).toBeInstanceOf(InvalidAppendError);
      expect(s).toEqual(n);
    }
    expect(captureError(() => serializeAppend('$all', [base({})]))).toEqual(
      captureError(() => normalizeAppend('$all', [base({})])),
    );
  });
});

function captureError(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}

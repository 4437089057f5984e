import fc from 'fast-check';
import { duplicateKey } from './json-body.middleware';

describe('duplicateKey: a key given twice in one object of a JSON text', () => {
  it('names the key with its path, at any depth, however it is spelt', () => {
    expect(duplicateKey('{"a":1,"a":2}')).toBe('a');
    expect(duplicateKey('{"a":1,"\\u0061":2}')).toBe('a');
    expect(duplicateKey('{"x":{"b":[{"c":1},{"c":1,"c":2}]}}')).toBe('x.b[1].c');
    expect(duplicateKey('[[{"k":"\\"}","k":0}]]')).toBe('[0][0].k');
    expect(duplicateKey(`${'['.repeat(50_000)}{"d":1,"d":1}${']'.repeat(50_000)}`)).toBe(
      `${'[0]'.repeat(50_000)}.d`,
    );
  });

  it('finds none where each object has each key once, as JSON.stringify writes it', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        expect(duplicateKey(JSON.stringify(value))).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });

  it('finds the key repeated in any object of any JSON value', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 3 }),
        fc.string(),
        fc.jsonValue({ maxDepth: 1 }),
        (value, key, repeated) => {
          // `{"key": <value>, ..., "key": <repeated>}` around the value.
          const text = `{${JSON.stringify(key)}:${JSON.stringify(value)},"other":0,${JSON.stringify(key)}:${JSON.stringify(repeated)}}`;
          expect(duplicateKey(text)).toBe(key === '' ? '(body)' : key);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

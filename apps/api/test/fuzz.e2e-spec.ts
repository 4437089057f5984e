import type { Type } from '@nestjs/common';
import fc from 'fast-check';
import { Client } from 'pg';
import request from 'supertest';
import {
  anyJson,
  awkwardText,
  Deep,
  deepValue,
  hostileString,
  invalidCalendarDate,
  invalidInstant,
  invalidNumber,
  numberish,
  oddKey,
  setOwn,
  toJsonText,
  trickySegment,
  type Value,
} from '../../../test/support/bad-input';
import {
  discoverEndpoints,
  fillPath,
  pathParameters,
  resolveSchema,
  type Endpoint,
  type OpenApiDocument,
  type OpenApiParameter,
  type OpenApiSchema,
} from '../../../test/support/endpoints';
import { errorShapeProblems } from '../../../test/support/error-shape';
import { encodeSegment, RawHttpClient, type RawRequest } from '../../../test/support/raw-http';
import { bearer, KEYS, startTestApp, type TestApp } from '../../../test/support/test-app';
import { ledgerValidationPipe } from '../src/http/validation';
import { profileFields } from '@ledger/domain/testing';

/**
 * Bad input on every endpoint the app serves (found from its own route metadata and its
 * OpenAPI document, so that a new endpoint is fuzzed without being listed here): wrong types,
 * missing and extra fields, control characters and other scripts, very long and deeply nested
 * values, path tricks in ids, impossible dates, wrong content types, malformed JSON. Whatever
 * comes in: never a 5xx, every refusal in the one error shape, and no command records an event.
 * Over ten thousand inputs, drawn from fixed seeds and sent eight at a time. The domain's own
 * decoders, validation and deciders get ten times as many in process (test/fuzz).
 */

const SEED = 20_261_128;
/** Inputs per endpoint and kind: over 10,000 in all (the last test checks). */
const RUNS = { bodies: 460, transports: 140, queries: 260, perParameter: 95, noBody: 180 };
/** Requests in flight at once. */
const CONCURRENCY = 8;
/** Each fuzz test sends thousands of requests: more than the default minute on a busy machine. */
const FUZZ_TIMEOUT_MS = 300_000;
const LEARNER = 'fuzz-learner';

type Role = keyof typeof KEYS;
type Path = (string | number)[];

interface Field {
  path: Path;
  schema: OpenApiSchema;
  /** An object property (not an array element). */
  property: boolean;
}

interface BodyModel {
  example: Value;
  exampleText: string;
  fields: Field[];
  /** Properties whose absence the validation refuses (the OpenAPI `required` lists can be wrong). */
  required: Path[];
  /** Object values (their path and schema), where an extra field can go. */
  objects: Field[];
}

describe('fuzz: bad input on every endpoint', () => {
  let t: TestApp;
  let client: RawHttpClient;
  let db: Client;
  let endpoints: Endpoint[];
  let document: OpenApiDocument;
  let undocumented: string[];
  let unserved: string[];
  let claimId: string;
  let eventsAtStart: number;
  let tried = 0;
  const fuzzed = new Set<string>();

  const eventCount = async (): Promise<number> =>
    Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM events')).rows[0]?.n);

  beforeAll(async () => {
    t = await startTestApp('fuzz');
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    // Something to read: a learner with a profile, credit and a claim.
    const http = request(t.app.getHttpServer());
    await http
      .put(`/v1/learners/${LEARNER}/profile`)
      .set(bearer('service'))
      .send(
        profileFields({
          firstName: 'Fuzz',
          lastName: 'Target',
          birthMonth: 2,
          birthDay: 29,
          npi: undefined,
        }),
      )
      .expect(200);
    await http
      .post(`/v1/learners/${LEARNER}/questions-researched`)
      .set(bearer('service'))
      .send({ researchId: 'r1', occurredAt: '2026-11-01T10:00:00Z' })
      .expect(201);
    const claim = await http
      .post(`/v1/learners/${LEARNER}/claims`)
      .set(bearer('service'))
      .send({ activity: 'ipoc', occurredAt: '2026-11-02T10:00:00Z' })
      .expect(201);
    claimId = (claim.body as { claim: { claimId: string } }).claim.claimId;
    ({ endpoints, document, undocumented, unserved } = await discoverEndpoints(t.app));
    client = await RawHttpClient.listen(t.app);
    eventsAtStart = await eventCount();
  });

  afterAll(async () => {
    console.log(`fuzz: ${tried} inputs tried across ${fuzzed.size} endpoints`);
    client?.close();
    await db?.end();
    await t?.close();
  });

  // ---------------------------------------------------------------------------------------
  // Requests

  const authFor = (e: Endpoint): fc.Arbitrary<Record<string, string>> =>
    e.public ? fc.constant({}) : fc.constantFrom(...e.roles).map((role: Role) => bearer(role));

  /** A well-formed value of a path parameter: the seeded learner and claim, or fresh ids. */
  const validSegment = (name: string, mayExist: boolean): fc.Arbitrary<string> => {
    const fresh = fc.uuid().map((u) => `fuzz-none-${u.slice(0, 8)}`);
    switch (name) {
      case 'learnerId':
        return mayExist ? fc.oneof(fc.constant(LEARNER), fresh) : fresh;
      case 'claimId':
        return mayExist ? fc.oneof(fc.constant(claimId), fc.uuid()) : fc.uuid();
      case 'streamName':
        return mayExist
          ? fc.oneof(
              fc.constant(`learner-${LEARNER}`),
              fresh.map((id) => `learner-${id}`),
            )
          : fresh.map((id) => `learner-${id}`);
      case 'name':
        return fresh;
      default:
        return fc.oneof(fc.uuid(), fresh);
    }
  };

  /** Path parameters: well-formed, or tricks (traversal, encodings, SQL, very long). */
  const pathOf = (e: Endpoint, mayExist: boolean): fc.Arbitrary<string> =>
    fc
      .tuple(
        ...pathParameters(e).map((name) =>
          fc
            .oneof(validSegment(name, mayExist), trickySegment)
            .map((segment): [string, string] => [name, segment]),
        ),
      )
      .map((pairs) => fillPath(e, Object.fromEntries(pairs)));

  /** Odd but legal headers: correlation ids, Accept, idempotency keys. */
  const oddHeaders: fc.Arbitrary<Record<string, string>> = fc
    .record(
      {
        'X-Correlation-Id': fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.constantFrom('../../x', "'; DROP TABLE events;--", 'a'.repeat(500)),
        ),
        Accept: fc.constantFrom('application/xml', 'text/html', '*/*;q=0', 'application/pdf'),
        'Idempotency-Key': fc.oneof(
          fc.uuid().map((u) => `fuzz-${u}`),
          fc.string({ maxLength: 250 }),
        ),
      },
      { requiredKeys: [] },
    )
    .map((headers) =>
      Object.fromEntries(
        // Header values must be printable Latin-1 for the HTTP client to send them.
        Object.entries(headers).filter(([, v]) => /^[\x20-\x7e]+$/.test(v)),
      ),
    );

  // ---------------------------------------------------------------------------------------
  // Bodies: the documented example, broken by construction

  function exampleOf(schema: OpenApiSchema): Value {
    const s = resolveSchema(document, schema);
    if (s.example !== undefined) return structuredClone(s.example) as Value;
    if (s.properties) {
      const out: Record<string, Value> = {};
      for (const [k, p] of Object.entries(s.properties)) setOwn(out, k, exampleOf(p));
      return out;
    }
    if (s.type === 'array') return s.items ? [exampleOf(s.items)] : [];
    if (s.enum?.length) return s.enum[0] as Value;
    if (s.type === 'number' || s.type === 'integer') return s.minimum ?? 1;
    if (s.type === 'boolean') return true;
    return 'x';
  }

  function fieldsOf(schema: OpenApiSchema, value: Value, path: Path, out: Field[]): Field[] {
    const s = resolveSchema(document, schema);
    if (s.properties && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, p] of Object.entries(s.properties)) {
        if (!(k in value)) continue;
        out.push({ path: [...path, k], schema: resolveSchema(document, p), property: true });
        fieldsOf(p, (value as Record<string, Value>)[k] ?? null, [...path, k], out);
      }
    } else if (s.type === 'array' && s.items && Array.isArray(value)) {
      const items = s.items;
      value.forEach((item, i) => {
        out.push({ path: [...path, i], schema: resolveSchema(document, items), property: false });
        fieldsOf(items, item, [...path, i], out);
      });
    }
    return out;
  }

  function withChange(body: Value, path: Path, change: { set: Value } | 'remove'): Value {
    const root = structuredCloneValue(body);
    let container: Value = root;
    for (const step of path.slice(0, -1)) {
      if (container === null || typeof container !== 'object' || container instanceof Deep)
        return root;
      container = (container as Record<string, Value>)[step as string] ?? null;
    }
    const last = path[path.length - 1];
    if (last === undefined) return change === 'remove' ? root : change.set;
    if (container === null || typeof container !== 'object' || container instanceof Deep)
      return root;
    if (Array.isArray(container)) {
      if (typeof last === 'number' && change !== 'remove') container[last] = change.set;
    } else if (change === 'remove') {
      delete (container as Record<string, Value>)[last];
    } else {
      setOwn(container as Record<string, Value>, String(last), change.set);
    }
    return root;
  }

  async function bodyModel(e: Endpoint): Promise<BodyModel | undefined> {
    const schema = e.operation.requestBody?.content?.['application/json']?.schema;
    if (!schema || !e.bodyType) return undefined;
    const example = exampleOf(schema);
    const fields = fieldsOf(schema, example, [], []);
    const pipe = ledgerValidationPipe();
    const refused = async (body: Value): Promise<boolean> =>
      pipe
        .transform(body, { type: 'body', metatype: e.bodyType as Type })
        .then(() => false)
        .catch(() => true);
    const required: Path[] = [];
    for (const f of fields) {
      if (f.property && (await refused(withChange(example, f.path, 'remove')))) {
        required.push(f.path);
      }
    }
    const root: Field = { path: [], schema: resolveSchema(document, schema), property: false };
    const objects = [root, ...fields].filter((f) => f.schema.properties);
    return { example, exampleText: toJsonText(example), fields, required, objects };
  }

  /** A value of the wrong JSON type for a schema (null only where the field is required). */
  const wrongType = (schema: OpenApiSchema, nullable: boolean): fc.Arbitrary<Value> => {
    const type = schema.properties ? 'object' : (schema.type ?? 'string');
    const options: fc.Arbitrary<Value>[] = [];
    if (type !== 'string') options.push(fc.oneof(awkwardText, fc.constantFrom('1', 'true', '')));
    if (type !== 'number' && type !== 'integer')
      options.push(fc.oneof(fc.integer(), fc.constantFrom(1e308, -0, 0.5)));
    if (type !== 'boolean') options.push(fc.boolean());
    if (type !== 'array') options.push(fc.array(anyJson, { maxLength: 3 }));
    if (type !== 'object') options.push(fc.dictionary(oddKey, anyJson, { maxKeys: 3 }));
    if (nullable) options.push(fc.constant(null));
    return fc.oneof(...options);
  };

  /** A value that the field refuses, whatever its type. */
  const invalidValue = (f: Field, required: boolean): fc.Arbitrary<Value> => {
    const s = f.schema;
    const options: fc.Arbitrary<Value>[] = [wrongType(s, required && f.property), deepValue];
    if (s.type === 'string' || (!s.type && !s.properties)) {
      options.push(hostileString());
      if (s.enum) {
        const allowed = s.enum.map(String);
        options.push(
          fc
            .oneof(
              awkwardText,
              fc.constantFrom(...allowed.flatMap((a) => [a.toUpperCase(), ` ${a}`, `${a}\u0000`])),
            )
            .filter((v) => !allowed.includes(v)),
        );
      }
      if (s.pattern) {
        const pattern = new RegExp(s.pattern);
        options.push(awkwardText.filter((v) => !pattern.test(v)));
      }
      if (s.description?.includes('ISO 8601')) options.push(invalidInstant);
    }
    if ((s.type === 'number' || s.type === 'integer') && s.minimum !== undefined) {
      options.push(invalidNumber(s.minimum, s.maximum ?? Number.MAX_SAFE_INTEGER));
    }
    return fc.oneof(...options);
  };

  /** One to three changes, each of which the validation refuses on its own. */
  const brokenBody = (m: BodyModel): fc.Arbitrary<Value> => {
    const requiredKeys = new Set(m.required.map((p) => p.join('.')));
    const change: fc.Arbitrary<(body: Value) => Value>[] = [
      fc
        .constantFrom(...m.fields)
        .chain((f) =>
          invalidValue(f, requiredKeys.has(f.path.join('.'))).map(
            (v) => (body: Value) => withChange(body, f.path, { set: v }),
          ),
        ),
      fc.constantFrom(...m.objects).chain((o) =>
        fc
          .tuple(
            oddKey.filter((k) => !(k in (o.schema.properties ?? {}))),
            fc.oneof(anyJson, deepValue),
          )
          .map(
            ([k, v]) =>
              (body: Value) =>
                withChange(body, [...o.path, k], { set: v }),
          ),
      ),
    ];
    if (m.required.length > 0) {
      change.push(
        fc.constantFrom(...m.required).map((p) => (body: Value) => withChange(body, p, 'remove')),
      );
    }
    return fc
      .array(fc.oneof(...change), { minLength: 1, maxLength: 3 })
      .map((changes) => changes.reduce((body, apply) => apply(body), m.example));
  };

  /** A whole body of the wrong kind: any JSON value but an object with every required field. */
  const wrongBody = (m: BodyModel): fc.Arbitrary<Value> => {
    const top = m.required.filter((p) => p.length === 1).map((p) => String(p[0]));
    return fc
      .oneof(anyJson, deepValue)
      .filter(
        (v) =>
          v === null ||
          typeof v !== 'object' ||
          Array.isArray(v) ||
          v instanceof Deep ||
          !top.every((k) => k in v),
      );
  };

  /** The documented example (valid) sent in a form the API does not read, or broken on the wire. */
  const badTransport = (m: BodyModel): fc.Arbitrary<Pick<RawRequest, 'headers' | 'body'>> => {
    const json = m.exampleText;
    const form = Object.entries(m.example as Record<string, Value>)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(toJsonText(v))}`)
      .join('&');
    return fc.oneof(
      fc.constantFrom(
        { headers: { 'Content-Type': 'text/plain' }, body: json },
        { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form },
        {
          headers: { 'Content-Type': 'multipart/form-data; boundary=XyZ' },
          body: `--XyZ\r\nContent-Disposition: form-data; name="body"\r\n\r\n${json}\r\n--XyZ--\r\n`,
        },
        { headers: {}, body: json },
        { headers: { 'Content-Type': 'application/xml' }, body: `<body>${json}</body>` },
        { headers: { 'Content-Type': 'application/json; charset=utf-16' }, body: json },
        { headers: { 'Content-Type': 'application/json; charset=klingon' }, body: json },
        { headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body: json },
        { headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'br2' }, body: json },
        { headers: { 'Content-Type': 'application/json' }, body: '' },
        { headers: { 'Content-Type': 'application/json' }, body: 'null' },
        { headers: { 'Content-Type': 'application/json' }, body: `${json}${json}` },
        { headers: { 'Content-Type': 'application/json' }, body: json.replace(/"/g, "'") },
        { headers: { 'Content-Type': 'application/json' }, body: `${json.slice(0, -1)},}` },
        { headers: { 'Content-Type': 'application/json' }, body: `${json.slice(0, -1)},"x":NaN}` },
        { headers: { 'Content-Type': 'application/json' }, body: `// c\n${json}` },
      ),
      // Malformed: cut short anywhere, or followed by junk.
      fc
        .tuple(fc.integer({ min: 1, max: json.length - 1 }), fc.constantFrom('', '\u0000', 'x'))
        .map(([cut, tail]) => ({
          headers: { 'Content-Type': 'application/json' },
          body: json.slice(0, cut) + tail,
        })),
      fc.constantFrom('x', '}', ']', '\u0000').map((junk) => ({
        headers: { 'Content-Type': 'application/json' },
        body: json + junk,
      })),
      // Over the 64 kB body limit: 413.
      fc.integer({ min: 65 * 1024, max: 300 * 1024 }).map((size) => ({
        headers: { 'Content-Type': 'application/json' },
        body: `${json.slice(0, -1)},"padding":"${'x'.repeat(size)}"}`,
      })),
    );
  };

  // ---------------------------------------------------------------------------------------
  // Query strings

  /** Odd values for a query parameter, weighted towards what its example says it is. */
  const queryValue = (p: OpenApiParameter): fc.Arbitrary<string> => {
    const s = p.schema ?? {};
    const example = s.example === undefined ? undefined : String(s.example);
    const options: fc.WeightedArbitrary<string>[] = [
      { arbitrary: awkwardText, weight: 2 },
      { arbitrary: hostileString(600), weight: 1 },
      { arbitrary: numberish, weight: s.minimum !== undefined ? 4 : 1 },
      { arbitrary: invalidInstant, weight: example?.includes('T') ? 4 : 1 },
      { arbitrary: invalidCalendarDate, weight: example?.match(/^\d{4}-\d\d-\d\d$/) ? 6 : 1 },
    ];
    if (example !== undefined) options.push({ arbitrary: fc.constant(example), weight: 1 });
    if (s.enum) options.push({ arbitrary: fc.constantFrom(...s.enum.map(String)), weight: 1 });
    if (s.minimum !== undefined) {
      const valid = fc.integer({ min: s.minimum, max: s.maximum }).map(String);
      options.push({ arbitrary: valid, weight: 1 });
    }
    // A position ahead of the read models waits 3 s and answers 503 by design (read-model-behind):
    // minPosition gets anything but digits.
    return fc.oneof(...options).filter((v) => p.name !== 'minPosition' || !/^\d+$/.test(v));
  };

  /**
   * The documented parameters at their examples (minPosition left out), then some of them
   * changed to odd values (only `focus` when given), plus unknown, repeated and bracketed ones.
   */
  const queryOf = (e: Endpoint, focus?: OpenApiParameter): fc.Arbitrary<string> => {
    const documented = (e.operation.parameters ?? []).filter((p) => p.in === 'query');
    const base: Record<string, string | null> = Object.fromEntries(
      documented.map((p) => [
        p.name,
        p.name === 'minPosition' || p.schema?.example === undefined
          ? null
          : String(p.schema.example),
      ]),
    );
    const pair = (name: string, value: string) => `${encodeSegment(name)}=${encodeSegment(value)}`;
    const change = (p: OpenApiParameter) =>
      fc
        .option(queryValue(p), { freq: 8, nil: null })
        .map((v): [string, string | null] => [p.name, v]);
    const changed = focus
      ? change(focus).map((c) => [c])
      : documented.length === 0
        ? fc.constant([] as [string, string | null][])
        : fc.array(fc.constantFrom(...documented).chain(change), { minLength: 1, maxLength: 3 });
    const extra = focus
      ? fc.constant([] as string[])
      : fc.array(
          fc.oneof(
            awkwardText.map((v) => pair('', v)),
            fc.tuple(oddKey, awkwardText).map(([k, v]) => pair(k, v)),
            ...documented.flatMap((p) => [
              queryValue(p).map((v) => pair(p.name, v)),
              fc.constant(`${p.name}[]=1&${p.name}[$gt]=`),
              fc.constant(`${p.name}=%E0%A4%A`),
            ]),
            fc.constantFrom('%', '&&&', '=', '=x', 'a=%zz', 'a=%00'),
          ),
          { maxLength: 2 },
        );
    return fc.tuple(changed, extra).map(([changes, extras]) => {
      const values = { ...base, ...Object.fromEntries(changes) };
      const known = Object.entries(values).flatMap(([k, v]) => (v === null ? [] : [pair(k, v)]));
      return [...known, ...extras].join('&');
    });
  };

  // ---------------------------------------------------------------------------------------
  // The check applied to every answer

  const preview = (text: string | Buffer | undefined): string =>
    text === undefined
      ? '(none)'
      : text.length > 300
        ? `${text.slice(0, 200).toString()}… (${text.length} bytes)`
        : text.toString();

  /** What is wrong with the answer to one bad input (nothing, for a clean refusal). */
  async function problemsOf(e: Endpoint, input: RawRequest): Promise<string | undefined> {
    tried += 1;
    fuzzed.add(e.key);
    const res = await client.send(input);
    const problems: string[] = [];
    if (res.status >= 500) problems.push(`answered ${res.status}`);
    if (res.status >= 400) {
      problems.push(...errorShapeProblems(res.status, res.headers['content-type'], res.text));
    } else if (e.method !== 'GET') {
      problems.push(`a command with bad input answered ${res.status}`);
    }
    if (problems.length === 0) return undefined;
    return (
      `${input.method} ${preview(input.path)} → ${res.status}: ${problems.join('; ')}\n` +
      `  headers: ${JSON.stringify(input.headers)}\n  body: ${preview(input.body)}\n` +
      `  answer: ${preview(res.text)}`
    );
  }

  /**
   * Runs every (endpoint, arbitrary) pair: the inputs drawn from the seed, sent CONCURRENCY at a
   * time (the server is on loopback: throughput is what lets ten thousand inputs run in CI
   * time). Every answer is checked; after each batch of a command, the log must hold no new
   * event (a batch that recorded one is named with all its inputs). Reports every endpoint
   * that fails, not only the first, each failure with the seed and the index that replay it.
   */
  async function fuzz(
    pick: (e: Endpoint) => Promise<{ runs: number; inputs: fc.Arbitrary<RawRequest> }[]>,
  ): Promise<void> {
    const failures: string[] = [];
    let stream = 0;
    for (const e of endpoints) {
      for (const { runs, inputs } of await pick(e)) {
        stream += 1;
        const seed = SEED + stream;
        const sample = fc.sample(inputs, { seed, numRuns: runs });
        for (let from = 0; from < sample.length && failures.length < 20; from += CONCURRENCY) {
          const batch = sample.slice(from, from + CONCURRENCY);
          const before = e.method === 'GET' ? 0 : await eventCount();
          const found = await Promise.all(batch.map((input) => problemsOf(e, input)));
          found.forEach((problem, i) => {
            if (problem) failures.push(`${e.key} (seed ${seed}, input ${from + i}): ${problem}`);
          });
          if (e.method !== 'GET' && (await eventCount()) !== before) {
            failures.push(
              `${e.key} (seed ${seed}, inputs ${from}–${from + batch.length - 1}): an event was ` +
                `recorded for one of: ${batch.map((b) => `${b.method} ${preview(b.path)} ${preview(b.body)}`).join(' | ')}`,
            );
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }

  // ---------------------------------------------------------------------------------------

  it('knows every route the app serves: each is in the OpenAPI document and vice versa', () => {
    expect({ undocumented, unserved }).toEqual({ undocumented: [], unserved: [] });
    expect(endpoints.length).toBeGreaterThan(10);
  });

  it(
    'request bodies: wrong types, missing and extra fields, hostile strings, deep nesting, bad dates',
    async () => {
      await fuzz(async (e) => {
        const model = await bodyModel(e);
        if (!model) return [];
        const inputs = (body: fc.Arbitrary<Value>) =>
          fc
            .record({
              path: pathOf(e, true),
              auth: authFor(e),
              odd: oddHeaders,
              body,
            })
            .map(({ path, auth, odd, body: value }): RawRequest => ({
              method: e.method,
              path,
              headers: { ...odd, ...auth, 'Content-Type': 'application/json' },
              body: toJsonText(value),
            }));
        return [
          { runs: RUNS.bodies, inputs: inputs(brokenBody(model)) },
          { runs: RUNS.transports, inputs: inputs(wrongBody(model)) },
        ];
      });
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'transport: wrong content types, malformed JSON, bodies over the limit',
    async () => {
      await fuzz(async (e) => {
        const model = await bodyModel(e);
        if (!model) return [];
        const inputs = fc
          .record({ path: pathOf(e, false), auth: authFor(e), transport: badTransport(model) })
          .map(({ path, auth, transport }): RawRequest => ({
            method: e.method,
            path,
            headers: { ...transport.headers, ...auth },
            body: transport.body,
          }));
        return [{ runs: RUNS.transports, inputs }];
      });
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'paths and query strings: traversal, encodings, SQL in ids, odd and repeated parameters',
    async () => {
      await fuzz(async (e) => {
        if (e.method !== 'GET' && (await bodyModel(e))) return []; // commands with a body: above
        const requests = (
          query: fc.Arbitrary<string>,
          path: fc.Arbitrary<string>,
          withBody: boolean,
        ) =>
          fc
            .record({
              path,
              query,
              auth: authFor(e),
              odd: oddHeaders,
              body: withBody
                ? fc.option(fc.oneof(anyJson, deepValue), { freq: 4 })
                : fc.constant(null),
            })
            .map(({ path: p, query: q, auth, odd, body }): RawRequest => ({
              method: e.method,
              path: q ? `${p}?${q}` : p,
              headers: {
                ...(e.method === 'GET' ? {} : odd),
                ...auth,
                ...(body === null ? {} : { 'Content-Type': 'application/json' }),
              },
              ...(body === null ? {} : { body: toJsonText(body) }),
            }));
        // Commands without a body never name something that exists: they must be refused.
        const mayExist = e.method === 'GET';
        const wellFormedPath = fc
          .tuple(
            ...pathParameters(e).map((name) =>
              validSegment(name, mayExist).map((v): [string, string] => [name, v]),
            ),
          )
          .map((pairs) => fillPath(e, Object.fromEntries(pairs)));
        const parameters = (e.operation.parameters ?? []).filter((p) => p.in === 'query');
        return [
          {
            runs: mayExist ? RUNS.queries : RUNS.noBody,
            inputs: requests(queryOf(e), pathOf(e, mayExist), true),
          },
          // Each parameter on its own, the others at their examples: a refusal of another
          // parameter does not hide what this one does.
          ...parameters.map((p) => ({
            runs: RUNS.perParameter,
            inputs: requests(queryOf(e, p), wellFormedPath, false),
          })),
        ];
      });
    },
    FUZZ_TIMEOUT_MS,
  );

  it('records no event, whatever came in, over ten thousand inputs and more', async () => {
    expect(fuzzed.size).toBe(endpoints.length);
    expect(tried).toBeGreaterThanOrEqual(10_000);
    expect(await eventCount()).toBe(eventsAtStart);
  });
});

/** A deep copy that keeps `Deep` values and own `__proto__` keys. */
function structuredCloneValue(v: Value): Value {
  if (v instanceof Deep || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(structuredCloneValue);
  const out: Record<string, Value> = {};
  for (const [k, x] of Object.entries(v)) setOwn(out, k, structuredCloneValue(x));
  return out;
}

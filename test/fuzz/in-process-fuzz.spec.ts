import type { Type } from '@nestjs/common';
import {
  fromAuditRecord,
  AuditRecordFormatError,
  InvalidAsOfError,
  parseAsOf,
  toAuditRecord,
} from '@ledger/audit';
import {
  ACTIVITIES,
  BOARD_CATALOGUE,
  BOARD_SUBMISSION_EVENT_TYPES,
  CLINICAL_ROLES,
  CORRECTION_REASONS,
  creditTotals,
  decideBoardSubmission,
  decideLearner,
  DEFAULT_MAX_BACKDATE_MS,
  evolveBoardSubmission,
  evolveLearner,
  initialBoardSubmissionState,
  initialLearnerState,
  isDomainRuleViolation,
  LEARNER_EVENT_TYPES,
  OPERATOR_REFERENCE,
  parseInstant,
  type BoardSubmissionCommand,
  type BoardSubmissionEvent,
  type BoardSubmissionState,
  type ClinicalRole,
  type DecisionContext,
  type LearnerCommand,
  type LearnerEvent,
  type LearnerState,
} from '@ledger/domain';
import { TEST_MAX_BACKDATE_MS } from '@ledger/domain/testing';
import type { JsonObject, RecordedEvent } from '@ledger/event-store';
import { boardSubmissionEventCodec, learnerEventCodec, type EventCodec } from '@ledger/ledger';
import fc from 'fast-check';
import { readCompletion } from '../../apps/pars-simulator/src/pars-checks';
import { escapeXml, parseXml, XmlSyntaxError } from '../../libs/boards/src/pars/xml';
import { ErasePersonalDataRequestDto } from '../../apps/api/src/admin/erasure/erase-personal-data.request.dto';
import {
  AsOfQueryDto,
  IntegrityQueryDto,
  LogPageQueryDto,
  LogRangeQueryDto,
  StreamPageQueryDto,
} from '../../apps/api/src/audit/audit.query.dto';
import { ApiError } from '../../apps/api/src/http/api-error';
import { duplicateKey } from '../../apps/api/src/http/json-body.middleware';
import { ledgerValidationPipe } from '../../apps/api/src/http/validation';
import { ClaimCreditsRequestDto } from '../../apps/api/src/learners/claim-credits/claim-credits.request.dto';
import { ImportHistoryRequestDto } from '../../apps/api/src/learners/import-history/import-history.request.dto';
import { RecordAnswerRequestDto } from '../../apps/api/src/learners/record-answer/record-answer.request.dto';
import { RecordResearchRequestDto } from '../../apps/api/src/learners/record-research/record-research.request.dto';
import { UpdateProfileRequestDto } from '../../apps/api/src/learners/update-profile/update-profile.request.dto';
import {
  ExpiringQueryDto,
  FreshnessQueryDto,
  SubmissionsQueryDto,
} from '../../apps/api/src/queries/query.dto';
import {
  anyJson,
  awkwardText,
  hostileString,
  invalidCalendarDate,
  invalidInstant,
  numberish,
  oddKey,
  setOwn,
  type Value,
} from '../support/bad-input';
import { PROFILE_EXAMPLE } from '../support/request-examples';

/**
 * The ledger's decoders, its request validation and its deciders, fuzzed in process with well
 * over 100,000 generated inputs (the HTTP fuzz sends ten thousand more through the whole app).
 * Whatever comes in, each answers in the one way it may: a decoder decodes or names what is
 * wrong; validation accepts (and then the domain can read what it accepted) or refuses with a
 * 400 naming the fields; a decider records events that encode, store and fold back as they
 * were, or refuses with a rule; never another error (what over HTTP would be a 500), and a
 * refused command records nothing.
 */

const SEED = 20_261_201;
let inputs = 0;
/** Per property; the last test checks the sum. */
const RUNS = {
  instants: 15_000,
  asOf: 6_000,
  auditRecords: 8_000,
  duplicateKeys: 4_000,
  boardSubmissions: 4_000,
  dtoBodies: 4_500, // per body DTO (6)
  dtoQueries: 2_000, // per query DTO (8)
  learnerSequences: 1_600, // of up to 25 commands each
  submissionSequences: 1_000, // of up to 15 commands each
};

const counted = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  arbitrary.map((value) => {
    inputs += 1;
    return value;
  });

/** A plain assertion for the hot loops (jest's expect is slow at this volume). */
function check(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

const run = <T>(arbitrary: fc.Arbitrary<T>, numRuns: number, property: (value: T) => void) =>
  fc.assert(fc.property(counted(arbitrary), property), { seed: SEED, numRuns });

const runAsync = <T>(
  arbitrary: fc.Arbitrary<T>,
  numRuns: number,
  property: (value: T) => Promise<void>,
) => fc.assert(fc.asyncProperty(counted(arbitrary), property), { seed: SEED, numRuns });

// -----------------------------------------------------------------------------------------
// Decoders

/** Texts near an instant: valid ones, their parts pushed out of range, and junk. */
const instantLike: fc.Arbitrary<string> = fc.oneof(
  fc
    .date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z') })
    .filter((d) => !Number.isNaN(d.getTime()))
    .map((d) => d.toISOString()),
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      ...[13, 32, 25, 61, 61].map((max) => fc.integer({ min: 0, max })),
      fc.constantFrom('Z', '+01:00', '-23:59', '+24:00', '+05:60', '', 'z', '+0100'),
      fc.constantFrom('', '.5', '.123', '.123456789', '.1234567890'),
    )
    .map(
      ([y, mo, d, h, mi, s, zone, fraction]) =>
        `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}` +
        `T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}${fraction}${zone}`,
    ),
  invalidInstant,
  awkwardText,
  fc.string({ maxLength: 40 }),
);

/** A stored event as an export line carries it, valid. */
const auditRecordValue = fc
  .record({
    position: fc.bigInt({ min: 1n, max: 0x7fff_ffff_ffff_ffffn }),
    revision: fc.bigInt({ min: 0n, max: 1_000_000n }),
    id: fc.uuid(),
    type: fc.constantFrom(...LEARNER_EVENT_TYPES, ...BOARD_SUBMISSION_EVENT_TYPES),
    schemaVersion: fc.integer({ min: 1, max: 3 }),
    recordedAt: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01') }),
    data: fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 4 }),
    actor: fc.string({ maxLength: 12 }),
    hash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  })
  .filter((r) => !Number.isNaN(r.recordedAt.getTime()))
  .map((r): RecordedEvent => ({
    streamName: `learner-${r.id.slice(0, 8)}`,
    id: r.id,
    type: r.type,
    schemaVersion: r.schemaVersion,
    position: r.position,
    revision: r.revision,
    recordedAt: r.recordedAt,
    metadata: { actor: r.actor, correlationId: 'c', causationId: r.id },
    data: JSON.parse(JSON.stringify(r.data)) as JsonObject,
    hash: Buffer.from(r.hash).toString('hex'),
  }));

/** An export line's value: a valid record with one field broken, or any JSON at all. */
const auditRecordInput: fc.Arbitrary<{ value: unknown; valid: RecordedEvent | undefined }> =
  fc.oneof(
    auditRecordValue.map((e) => ({ value: toAuditRecord(e) as unknown, valid: e })),
    fc
      .tuple(
        auditRecordValue,
        fc.constantFrom(
          'position',
          'streamName',
          'revision',
          'id',
          'type',
          'schemaVersion',
          'recordedAt',
          'metadata',
          'data',
          'hash',
        ),
        fc.oneof(
          anyJson,
          invalidInstant,
          numberish,
          fc.constantFrom('-1', '99999999999999999999', '1.5', '', 'ABCDEF'),
        ),
      )
      .map(([e, field, broken]) => {
        const record = { ...toAuditRecord(e) } as Record<string, unknown>;
        record[field] = broken;
        return { value: record as unknown, valid: undefined };
      }),
    anyJson.map((value) => ({ value: value as unknown, valid: undefined })),
  );

// -----------------------------------------------------------------------------------------
// Request validation

interface DtoCase {
  name: string;
  type: 'body' | 'query';
  metatype: Type;
  example: Record<string, Value>;
}

const AT = '2026-11-01T10:00:00Z';
const BODY_DTOS: DtoCase[] = [
  {
    name: 'RecordResearchRequestDto',
    type: 'body',
    metatype: RecordResearchRequestDto,
    example: { researchId: 'research-1', occurredAt: AT },
  },
  {
    name: 'RecordAnswerRequestDto',
    type: 'body',
    metatype: RecordAnswerRequestDto,
    example: { questionId: 'nejm-q-1', correct: true, occurredAt: AT },
  },
  {
    name: 'ClaimCreditsRequestDto',
    type: 'body',
    metatype: ClaimCreditsRequestDto,
    example: { activity: 'ipoc', occurredAt: AT },
  },
  {
    name: 'UpdateProfileRequestDto',
    type: 'body',
    metatype: UpdateProfileRequestDto,
    example: { ...PROFILE_EXAMPLE, occurredAt: AT },
  },
  {
    name: 'ImportHistoryRequestDto',
    type: 'body',
    metatype: ImportHistoryRequestDto,
    example: {
      reference: 'OPS-1234',
      facts: [
        { kind: 'research', researchId: 'research-1', occurredAt: '2023-02-01T10:00:00Z' },
        {
          kind: 'answer',
          questionId: 'nejm-q-1',
          correct: true,
          occurredAt: '2023-02-01T10:00:00Z',
        },
      ],
    },
  },
  {
    name: 'ErasePersonalDataRequestDto',
    type: 'body',
    metatype: ErasePersonalDataRequestDto,
    example: { ticket: 'DSR-4711' },
  },
];
const QUERY_DTOS: DtoCase[] = (
  [
    { name: 'LogPageQueryDto', metatype: LogPageQueryDto, example: { after: '0', limit: '100' } },
    {
      name: 'StreamPageQueryDto',
      metatype: StreamPageQueryDto,
      example: { fromRevision: '0', limit: '10' },
    },
    { name: 'LogRangeQueryDto', metatype: LogRangeQueryDto, example: { after: '0', upTo: '10' } },
    {
      name: 'IntegrityQueryDto',
      metatype: IntegrityQueryDto,
      example: { after: '1', upTo: '10', expectedDigest: 'ab'.repeat(32) },
    },
    { name: 'AsOfQueryDto', metatype: AsOfQueryDto, example: { asOf: AT } },
    { name: 'FreshnessQueryDto', metatype: FreshnessQueryDto, example: { minPosition: '1042' } },
    {
      name: 'ExpiringQueryDto',
      metatype: ExpiringQueryDto,
      example: { before: '2026-12-31', limit: '10', cursor: 'abc' },
    },
    {
      name: 'SubmissionsQueryDto',
      metatype: SubmissionsQueryDto,
      example: { tag: 'Pending', board: 'ABIM', from: AT, to: '2027-01-01T00:00:00Z' },
    },
  ] as Omit<DtoCase, 'type'>[]
).map((c) => ({ ...c, type: 'query' as const }));

/** Any value a JSON body's field may hold, from plausible to hostile. */
const bodyValue: fc.Arbitrary<Value> = fc.oneof(
  anyJson,
  awkwardText,
  hostileString(700),
  invalidInstant,
  invalidCalendarDate,
  fc.integer({ min: -100, max: 100 }),
  fc.constantFrom<Value>(1e308, -0, 0.5, null, true, '', ' ', 'DSR-4711', 'ABIM', 'CA'),
);

/** What a query string parses into: a string, or an array for a repeated parameter. */
const queryValue: fc.Arbitrary<Value> = fc.oneof(
  { weight: 8, arbitrary: fc.oneof(awkwardText, numberish, invalidInstant, invalidCalendarDate) },
  { weight: 1, arbitrary: hostileString(700) },
  { weight: 1, arbitrary: fc.array(numberish, { minLength: 2, maxLength: 3 }) },
);

/** The example, changed one to three times: a field set, removed, or an unknown one added. */
function changedExample(c: DtoCase): fc.Arbitrary<Value> {
  const value = c.type === 'body' ? bodyValue : queryValue;
  const paths: string[][] = [];
  const walk = (v: Value, path: string[]) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
    for (const [k, child] of Object.entries(v)) {
      paths.push([...path, k]);
      if (Array.isArray(child)) child.forEach((item, i) => walk(item, [...path, k, String(i)]));
      else walk(child, [...path, k]);
    }
  };
  walk(c.example, []);
  const change = fc.oneof(
    fc
      .tuple(fc.constantFrom(...paths), value)
      .map(([path, v]) => ({ path, set: v as Value | undefined })),
    fc.constantFrom(...paths).map((path) => ({ path, set: undefined as Value | undefined })),
    fc.tuple(oddKey, value).map(([key, v]) => ({ path: [key], set: v as Value | undefined })),
  );
  return fc.array(change, { minLength: 0, maxLength: 3 }).map((changes) => {
    const body = structuredClone(c.example) as Record<string, Value>;
    for (const { path, set } of changes) {
      let target: Value = body;
      for (const step of path.slice(0, -1)) {
        if (target === null || typeof target !== 'object') break;
        target = (target as Record<string, Value>)[step] ?? null;
      }
      const last = path[path.length - 1]!;
      if (target === null || typeof target !== 'object') continue;
      if (set === undefined) delete (target as Record<string, Value>)[last];
      else setOwn(target as Record<string, Value>, last, set);
    }
    return body;
  });
}

/** Accepted or refused, nothing else: a refusal is a 400 naming each field. */
async function validate(c: DtoCase, input: Value): Promise<Record<string, unknown> | undefined> {
  const pipe = ledgerValidationPipe();
  try {
    return (await pipe.transform(input, { type: c.type, metatype: c.metatype })) as Record<
      string,
      unknown
    >;
  } catch (error) {
    check(
      error instanceof ApiError && error.getStatus() === 400,
      () => `${c.name}: not a 400 but ${String(error)} for ${JSON.stringify(input)}`,
    );
    const fields = (error as ApiError).extra.errors ?? [];
    check(
      fields.length > 0 &&
        fields.every((f) => typeof f.field === 'string' && f.field !== '' && f.message !== ''),
      () => `${c.name}: a refusal that names no field: ${JSON.stringify(fields)}`,
    );
    return undefined;
  }
}

/** What the domain reads of an accepted request must read. */
function assertReadable(c: DtoCase, accepted: Record<string, unknown>): void {
  for (const key of ['occurredAt', 'from', 'to']) {
    const v = accepted[key];
    // An optional field sent as null is absent (the controllers read it so: default now).
    if (v !== undefined && v !== null) {
      check(
        typeof v === 'string' && parseInstant(v) !== undefined,
        () => `${c.name}: accepted ${key} ${JSON.stringify(v)} that the domain cannot read`,
      );
    }
  }
  if (accepted.ticket !== undefined) {
    check(
      typeof accepted.ticket === 'string' && OPERATOR_REFERENCE.test(accepted.ticket),
      () => `${c.name}: accepted a ticket that is not one`,
    );
  }
  if (accepted.asOf !== undefined) {
    try {
      parseAsOf(String(accepted.asOf));
    } catch (error) {
      check(error instanceof InvalidAsOfError, () => `${c.name}: asOf threw ${String(error)}`);
    }
  }
}

// -----------------------------------------------------------------------------------------
// Deciders

const NOW = new Date('2026-11-28T12:00:00Z');
const context = (timeZone: string, maxBackdateMs = TEST_MAX_BACKDATE_MS): DecisionContext => ({
  now: NOW,
  timeZone,
  maxClockSkewMs: 5 * 60 * 1000,
  maxBackdateMs,
});

/** Business times: mostly plausible, sometimes far off, in the future, or not a date at all. */
const businessTime: fc.Arbitrary<Date> = fc.oneof(
  { weight: 8, arbitrary: fc.date({ min: new Date('2022-01-01'), max: NOW }) },
  { weight: 1, arbitrary: fc.date({ min: new Date('1800-01-01'), max: new Date('2200-01-01') }) },
  { weight: 1, arbitrary: fc.constant(new Date(Number.NaN)) },
);

/** Ids: a few that repeat (so that duplicates happen), and hostile ones. */
const id = (prefix: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.nat({ max: 7 }).map((n) => `${prefix}-${n}`) },
    { weight: 1, arbitrary: awkwardText },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u0000', 'x'.repeat(300)) },
  );

const BOARD_CODES = BOARD_CATALOGUE.map((b) => b.code);

const learnerCommand: fc.Arbitrary<LearnerCommand> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({ researchId: id('r'), occurredAt: businessTime })
      .map((data) => ({ type: 'RecordResearch' as const, data })),
  },
  {
    weight: 5,
    arbitrary: fc
      .record({ questionId: id('q'), correct: fc.boolean(), occurredAt: businessTime })
      .map((data) => ({ type: 'RecordAnswer' as const, data })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        claimId: fc.oneof(fc.uuid(), id('claim')),
        activity: fc.constantFrom(...ACTIVITIES),
        occurredAt: businessTime,
      })
      .map((data) => ({ type: 'ClaimCredits' as const, data })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record(
        {
          clinicalRole: fc.oneof(
            fc.constantFrom(...CLINICAL_ROLES),
            awkwardText.map((t) => t as ClinicalRole),
          ),
          firstName: fc.oneof(fc.constant('Ada'), awkwardText),
          lastName: fc.oneof(fc.constant('Quinn'), awkwardText),
          birthMonth: fc.oneof(fc.integer({ min: -2, max: 14 }), fc.constant(Number.NaN)),
          birthDay: fc.oneof(fc.integer({ min: -2, max: 33 }), fc.constant(Number.NaN)),
          country: fc.oneof(fc.constantFrom('US', 'CA', 'XX', 'us', ''), awkwardText),
          boards: fc.array(
            fc.record(
              {
                boardId: fc.oneof(fc.constantFrom(...BOARD_CODES), awkwardText),
                learnerBoardId: fc.oneof(
                  fc.constantFrom('123456', '4321', 'A12345', ''),
                  awkwardText,
                ),
              },
              { requiredKeys: ['boardId'] },
            ),
            { maxLength: 6 },
          ),
          licenses: fc.array(
            fc.record({
              state: fc.oneof(fc.constantFrom('CA', 'MD', 'ZZ', 'ca'), awkwardText),
              licenseNumber: fc.oneof(fc.constantFrom('A12345', ''), awkwardText),
            }),
            { maxLength: 4 },
          ),
          npi: fc.oneof(fc.constantFrom('1234567893', '1234567890'), fc.string({ maxLength: 12 })),
          occurredAt: businessTime,
        },
        {
          requiredKeys: [
            'clinicalRole',
            'firstName',
            'lastName',
            'birthMonth',
            'birthDay',
            'country',
            'boards',
            'licenses',
            'occurredAt',
          ],
        },
      )
      .map((data) => ({ type: 'UpdateProfile' as const, data })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        occurredAt: businessTime,
        reference: fc.oneof(fc.constantFrom('OPS-1234', 'CHG-20261201-7'), awkwardText),
        importedBy: fc.constantFrom('admin:3f9a0c1b2d4e', ''),
        facts: fc.array(
          fc.oneof(
            fc.record({
              kind: fc.constant('research' as const),
              researchId: id('r'),
              occurredAt: businessTime,
            }),
            fc.record({
              kind: fc.constant('answer' as const),
              questionId: id('q'),
              correct: fc.boolean(),
              occurredAt: businessTime,
            }),
          ),
          { maxLength: 5 },
        ),
      })
      .map((data) => ({ type: 'ImportHistory' as const, data })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record(
        {
          occurredAt: businessTime,
          ticket: fc.oneof(fc.constantFrom('DSR-4711', 'GDPR2026-15'), awkwardText),
        },
        { requiredKeys: ['occurredAt'] },
      )
      .map((data) => ({ type: 'ErasePersonalData' as const, data })),
  },
);

const submissionCommand: fc.Arbitrary<BoardSubmissionCommand> = fc.oneof(
  fc
    .record({
      submissionId: fc.oneof(fc.uuid(), awkwardText),
      learnerId: id('learner'),
      claimId: fc.oneof(fc.uuid(), awkwardText),
      board: fc.oneof(fc.constantFrom(...BOARD_CODES), awkwardText),
      activity: fc.constantFrom(...ACTIVITIES),
      twelfths: fc.bigInt({ min: -12n, max: 1200n }),
      // From the CreditClaimed event the process reacts to: always a real instant.
      claimedAt: fc.date({ min: new Date('2022-01-01'), max: NOW, noInvalidDate: true }),
      occurredAt: businessTime,
      profileGaps: fc.array(awkwardText, { maxLength: 2 }),
    })
    .map((data) => ({ type: 'RequestBoardSubmission' as const, data })),
  businessTime.map((occurredAt) => ({
    type: 'RecordSubmissionAccepted' as const,
    data: { occurredAt },
  })),
  fc
    .record({ reason: awkwardText, retryable: fc.boolean(), occurredAt: businessTime })
    .map((data) => ({ type: 'RecordSubmissionFailed' as const, data })),
  businessTime.map((occurredAt) => ({ type: 'ConfirmBoardRecord' as const, data: { occurredAt } })),
  fc
    .record(
      {
        occurredAt: businessTime,
        profileGaps: fc.array(awkwardText, { maxLength: 2 }),
        profileUpdatedAt: businessTime,
      },
      { requiredKeys: ['occurredAt'] },
    )
    .map((data) => ({ type: 'RetryBoardSubmission' as const, data })),
  businessTime.map((occurredAt) => ({ type: 'FlagForFollowUp' as const, data: { occurredAt } })),
  fc
    .record(
      {
        reason: fc.constantFrom(...CORRECTION_REASONS),
        occurredAt: businessTime,
        reference: fc.constantFrom('CMP-1', 'OPS-2041'),
        profileVersion: fc.integer({ min: 1, max: 5 }),
        profileGaps: fc.array(awkwardText, { maxLength: 2 }),
        combine: fc.record({
          submissionId: fc.uuid(),
          claimId: fc.uuid(),
          twelfths: fc.bigInt({ min: -12n, max: 1200n }),
        }),
      },
      { requiredKeys: ['reason', 'occurredAt'] },
    )
    .map((data) => ({ type: 'CorrectBoardSubmission' as const, data })),
  fc
    .record({ occurredAt: businessTime, attempt: fc.integer({ min: 1, max: 4 }) })
    .map((data) => ({ type: 'RecordBoardRecordDeleted' as const, data })),
  fc
    .record(
      {
        outcome: fc.constantFrom('accepted' as const, 'confirmed' as const, 'failed' as const),
        reason: awkwardText,
        retryable: fc.boolean(),
        occurredAt: businessTime,
      },
      { requiredKeys: ['outcome', 'occurredAt'] },
    )
    .map((data) => ({ type: 'FollowCombinedRecord' as const, data })),
);

/**
 * Decides one command: events, or a rule's refusal (then nothing is recorded); never another
 * error. The events must survive the store: encoded, written as JSON, decoded, they are the
 * events decided (personal data aside, which the codec encrypts).
 */
async function decideChecked<C extends { type: string }, E extends { type: string; data: unknown }>(
  decide: () => E[],
  codec: EventCodec<E>,
  streamName: string,
  command: C,
): Promise<E[]> {
  let events: E[];
  try {
    events = decide();
  } catch (error) {
    check(
      isDomainRuleViolation(error) &&
        /^R\d+$/.test(error.rule) &&
        /^[a-z]+(-[a-z]+)*$/.test(error.code) &&
        error.message.length > 0,
      () => `${command.type} threw ${String(error)} (not a rule's refusal)`,
    );
    return [];
  }
  check(Array.isArray(events), () => `${command.type} answered ${String(events)}`);
  for (const event of events) {
    const { personal: _, ...clear } = (event.data ?? {}) as Record<string, unknown>;
    const withoutPersonal = { ...event, data: clear } as E;
    const encoded = await codec.encode(withoutPersonal, streamName);
    const stored = JSON.parse(JSON.stringify(encoded.data)) as JsonObject;
    const decoded = await codec.decode({
      streamName,
      id: '00000000-0000-4000-8000-000000000000',
      type: encoded.type,
      schemaVersion: encoded.schemaVersion,
      position: 1n,
      revision: 0n,
      recordedAt: NOW,
      metadata: { actor: 'fuzz', correlationId: 'c', causationId: 'c' },
      data: stored,
      hash: '',
    });
    check(
      JSON.stringify(decoded) === JSON.stringify(withoutPersonal),
      () => `${event.type} does not survive the store: ${JSON.stringify(withoutPersonal)}`,
    );
  }
  return events;
}

// -----------------------------------------------------------------------------------------

describe('in-process fuzz: decoders, request validation and deciders', () => {
  describe('decoders', () => {
    it('parseInstant reads an instant or nothing, and reads back what it was given', () => {
      run(instantLike, RUNS.instants, (text) => {
        const at = parseInstant(text);
        if (at === undefined) return;
        check(!Number.isNaN(at.getTime()), () => `${text} → Invalid Date`);
        const again = parseInstant(at.toISOString());
        check(again?.getTime() === at.getTime(), () => `${text} does not read back`);
      });
    });

    it('parseAsOf reads a position or an instant, or refuses with InvalidAsOfError only', () => {
      run(fc.oneof(instantLike, numberish, fc.bigInt().map(String)), RUNS.asOf, (text) => {
        try {
          const asOf = parseAsOf(text);
          check(
            asOf.kind === 'position'
              ? asOf.position >= 0n && asOf.position <= 0x7fff_ffff_ffff_ffffn
              : !Number.isNaN(asOf.at.getTime()),
            () =>
              `${text} → ${JSON.stringify(asOf, (_, v: unknown) => (typeof v === 'bigint' ? `${v}` : v))}`,
          );
        } catch (error) {
          check(error instanceof InvalidAsOfError, () => `${text} threw ${String(error)}`);
        }
      });
    });

    it('an export line decodes to the event it was written from, or is refused naming the field', () => {
      run(auditRecordInput, RUNS.auditRecords, ({ value, valid }) => {
        try {
          const decoded = fromAuditRecord(value);
          if (valid) {
            check(
              JSON.stringify(toAuditRecord(decoded)) === JSON.stringify(toAuditRecord(valid)),
              () => `a valid record decodes differently: ${JSON.stringify(value)}`,
            );
          }
        } catch (error) {
          check(
            error instanceof AuditRecordFormatError && valid === undefined,
            () => `${JSON.stringify(value)} threw ${String(error)}`,
          );
        }
      });
    });

    it('duplicateKey finds a key given twice exactly where there is one', () => {
      const text = fc.oneof(
        fc.jsonValue({ maxDepth: 3 }).map((v) => ({ json: JSON.stringify(v), twice: false })),
        fc
          .tuple(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), fc.boolean())
          .map(([key, value, twice]) => ({
            json: `{${JSON.stringify(key)}:${JSON.stringify(value)}${twice ? `,${JSON.stringify(key)}:0` : ''}}`,
            twice,
          })),
      );
      run(text, RUNS.duplicateKeys, ({ json, twice }) => {
        const found = duplicateKey(json);
        check((found !== undefined) === twice, () => `${json}: duplicateKey says ${String(found)}`);
      });
    });

    it('the PARS simulator reads a learner record, or names what is wrong with it, never throwing past XmlSyntaxError', () => {
      const leaf = fc.oneof(
        fc.string(),
        fc.constantFrom('ABIM', 'CA', '3', '14', '2026-03-02', '1.50', '0'),
      );
      const fields = [
        'ProviderLearnerRecordId',
        'ActivityId',
        'BoardId',
        'LearnerBoardId',
        'FirstName',
        'LastName',
        'BirthMonth',
        'BirthDay',
        'CompletionDate',
        'CreditType',
        'CreditsEarned',
        'MOCPoints',
        'MOCType',
      ];
      run(
        fc.oneof(
          fc.string(),
          fc.dictionary(fc.constantFrom(...fields), leaf).map(
            (record) =>
              `<SaveLearnerActivityRequest><LearnerActivity>${Object.entries(record)
                .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
                .join('')}</LearnerActivity></SaveLearnerActivityRequest>`,
          ),
        ),
        RUNS.boardSubmissions,
        (text) => {
          let document;
          try {
            document = parseXml(text);
          } catch (error) {
            check(error instanceof XmlSyntaxError, () => `${text} → ${String(error)}`);
            return;
          }
          const read = readCompletion(document);
          check(
            read.ok || (read.errors.length > 0 && read.errors.every((e) => e.message.length > 0)),
            () => `${text} → ${JSON.stringify(read)}`,
          );
        },
      );
    });
  });

  describe('request validation', () => {
    it.each(BODY_DTOS.map((c) => [c.name, c] as const))(
      '%s accepts what the domain can read, or refuses with a 400 naming the fields',
      async (_, c) => {
        await runAsync(changedExample(c), RUNS.dtoBodies, async (input) => {
          const accepted = await validate(c, input);
          if (accepted) assertReadable(c, accepted);
        });
      },
    );

    it.each(QUERY_DTOS.map((c) => [c.name, c] as const))(
      '%s accepts what the queries can read, or refuses with a 400 naming the fields',
      async (_, c) => {
        await runAsync(changedExample(c), RUNS.dtoQueries, async (input) => {
          const accepted = await validate(c, input);
          if (accepted) assertReadable(c, accepted);
        });
      },
    );
  });

  describe('deciders', () => {
    it('the learner decider records events that survive the store, or refuses with a rule', async () => {
      const codec = learnerEventCodec();
      const scenario = fc.record({
        timeZone: fc.constantFrom('UTC', 'America/New_York', 'Pacific/Kiritimati'),
        // The production bound (most old facts refused) or a wide one (most let through).
        maxBackdateMs: fc.constantFrom(DEFAULT_MAX_BACKDATE_MS, TEST_MAX_BACKDATE_MS),
        commands: fc.array(learnerCommand, { minLength: 1, maxLength: 25, size: 'max' }),
      });
      await fc.assert(
        fc.asyncProperty(scenario, async ({ timeZone, maxBackdateMs, commands }) => {
          let state: LearnerState = initialLearnerState();
          for (const command of commands) {
            inputs += 1;
            const events = await decideChecked<LearnerCommand, LearnerEvent>(
              () => decideLearner(command, state, context(timeZone, maxBackdateMs)),
              codec,
              'learner-fuzz',
              command,
            );
            for (const event of events) state = evolveLearner(state, event);
            const totals = creditTotals(state, NOW, timeZone);
            for (const activity of ACTIVITIES) {
              const t = totals[activity];
              check(
                t.earned === t.claimed + t.unclaimed + t.expired &&
                  [t.earned, t.claimed, t.unclaimed, t.expired].every((x) => x >= 0n),
                () => `credit created or destroyed after ${command.type}`,
              );
            }
          }
        }),
        { seed: SEED, numRuns: RUNS.learnerSequences },
      );
    });

    it('the board-submission decider records events that survive the store, or refuses with a rule', async () => {
      const codec = boardSubmissionEventCodec();
      await fc.assert(
        fc.asyncProperty(
          fc.array(submissionCommand, { minLength: 1, maxLength: 15, size: 'max' }),
          async (commands) => {
            let state: BoardSubmissionState = initialBoardSubmissionState();
            for (const command of commands) {
              inputs += 1;
              const events = await decideChecked<BoardSubmissionCommand, BoardSubmissionEvent>(
                () => decideBoardSubmission(command, state, context('UTC')),
                codec,
                'board-submission-fuzz',
                command,
              );
              for (const event of events) state = evolveBoardSubmission(state, event);
            }
          },
        ),
        { seed: SEED, numRuns: RUNS.submissionSequences },
      );
    });
  });

  it('tried over 100,000 inputs in all', () => {
    console.log(`in-process fuzz: ${inputs} inputs`);
    expect(inputs).toBeGreaterThanOrEqual(100_000);
  });
});

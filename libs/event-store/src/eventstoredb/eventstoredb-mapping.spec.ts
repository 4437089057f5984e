import {
  ANY,
  AccessDeniedError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NO_STREAM,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  EventStoreError,
  IdempotencyConflictError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../errors';
import type { EventMetadata, ExpectedRevision } from '../event-store.port';
import { chainLink, contentDigest, genesisHash, verifyChain } from '../hash-chain';
import {
  POSITION_MISSING,
  checkServerVersion,
  classifyError,
  comparePositions,
  decodeEvent,
  expectationHolds,
  isStreamNotFound,
  isSystemEvent,
  isWrongExpectedVersion,
  packMetadata,
  positionOf,
  toClientExpectedRevision,
  toClientPosition,
  toPortError,
  unpackMetadata,
  type ClientRecordedEvent,
  type LedgerFields,
} from './eventstoredb-mapping';

const metadata: EventMetadata = {
  actor: 'api-key:registrar',
  correlationId: '7a1c0f8e-5b7e-4a43-9d0b-3f5a7c2d9e11',
  causationId: '0c9d5e2a-1f3b-4c6d-8e7f-9a0b1c2d3e4f',
  tenant: { id: 42, tags: ['a', null] },
};
const ledger: LedgerFields = {
  hash: 'ab'.repeat(32),
  recordedAt: '2024-09-01T12:34:56.789Z',
  schemaVersion: 3,
  batch: { index: 1, size: 2 },
};

describe('EventStoreDB mapping', () => {
  describe('expected revisions', () => {
    it.each<[ExpectedRevision, unknown]>([
      ['any', ANY],
      ['no_stream', NO_STREAM],
      ['stream_exists', STREAM_EXISTS],
      [0n, 0n],
      [2n ** 63n - 1n, 2n ** 63n - 1n],
    ])('maps %p to the client value %p', (ours, theirs) => {
      expect(toClientExpectedRevision(ours)).toBe(theirs);
    });

    it('keeps an exact revision a bigint (no Number on the way)', () => {
      const big = 9_007_199_254_740_993n; // above Number.MAX_SAFE_INTEGER
      expect(toClientExpectedRevision(big)).toBe(big);
    });

    it.each<[ExpectedRevision, bigint | undefined, boolean]>([
      ['any', undefined, true],
      ['any', 4n, true],
      ['no_stream', undefined, true],
      ['no_stream', 0n, false],
      ['stream_exists', undefined, false],
      ['stream_exists', 0n, true],
      [3n, 3n, true],
      [3n, 4n, false],
      [0n, undefined, false],
    ])('checks %p against a stream at %p: %p', (expected, actual, holds) => {
      expect(expectationHolds(expected, actual)).toBe(holds);
    });
  });

  describe('errors', () => {
    it("maps the client's WrongExpectedVersionError to ours, with the caller's expectation and the actual revision", () => {
      const theirs = new WrongExpectedVersionError(undefined, {
        streamName: 's',
        expected: 7n,
        current: 12n,
      });
      expect(isWrongExpectedVersion(theirs)).toBe(true);
      const ours = toPortError(theirs, 'appending', { streamName: 's', expected: 'stream_exists' });
      expect(ours).toBeInstanceOf(WrongExpectedRevisionError);
      expect((ours as WrongExpectedRevisionError).actual).toBe(12n);
      expect((ours as WrongExpectedRevisionError).expected).toBe('stream_exists');
      expect((ours as WrongExpectedRevisionError).streamName).toBe('s');
    });

    it('maps a missing stream to actual undefined', () => {
      const theirs = new WrongExpectedVersionError(undefined, {
        streamName: 's',
        expected: 0n,
        current: 'no_stream',
      });
      const ours = toPortError(theirs, 'appending', {
        streamName: 's',
        expected: 0n,
      }) as WrongExpectedRevisionError;
      expect(ours).toBeInstanceOf(WrongExpectedRevisionError);
      expect(ours.actual).toBeUndefined();
      expect(ours.expected).toBe(0n);
    });

    it('recognises a duck-typed wrong expected version (another copy of the client)', () => {
      const duck = { type: 'wrong-expected-version', actualVersion: 5n, message: 'x' };
      const ours = toPortError(duck, 'appending', {
        streamName: 's',
        expected: 'no_stream',
      }) as WrongExpectedRevisionError;
      expect(ours).toBeInstanceOf(WrongExpectedRevisionError);
      expect(ours.actual).toBe(5n);
    });

    it('maps a too large append to InvalidAppendError and every other client error to EventStoreError, never passing one on', () => {
      expect(
        toPortError(MaxAppendSizeExceededError.fromMaxAppendSize(1024), 'appending', {
          streamName: 's',
        }),
      ).toBeInstanceOf(InvalidAppendError);
      for (const theirs of [
        new UnavailableError(),
        new DeadlineExceededError(),
        new AccessDeniedError(),
        new StreamDeletedError(undefined, 's'),
        new Error('socket hang up'),
      ]) {
        const ours = toPortError(theirs, 'reading s');
        expect(ours).toBeInstanceOf(EventStoreError);
        expect((ours as EventStoreError).cause).toBe(theirs);
      }
      expect(toPortError(new AccessDeniedError(), 'reading $all').message).toMatch(
        /needs read on \$all/,
      );
      const ours = new IdempotencyConflictError('s', [], 'x');
      expect(toPortError(ours, 'appending')).toBe(ours);
      expect(isStreamNotFound(new StreamNotFoundError(undefined, 's'))).toBe(true);
      expect(isStreamNotFound(new Error('x'))).toBe(false);
    });

    it('classifies what may pass (unavailable, timeouts, unknown connection errors) apart from what retrying cannot cure', () => {
      expect(classifyError(new UnavailableError())).toBe('transient');
      expect(classifyError(new DeadlineExceededError())).toBe('transient');
      expect(classifyError(new Error('14 UNAVAILABLE: No connection established'))).toBe(
        'transient',
      );
      expect(classifyError(new AccessDeniedError())).toBe('permanent');
      expect(classifyError(new StreamDeletedError(undefined, 's'))).toBe('permanent');
      expect(classifyError(new EventStoreError('x', false))).toBe('permanent');
      expect(classifyError(new EventStoreError('x', true))).toBe('transient');
      expect(classifyError(new WrongExpectedRevisionError('s', 0n, 1n))).toBe('permanent');
      expect(toPortError(new UnavailableError(), 'x')).toMatchObject({ retryable: true });
      expect(toPortError(new AccessDeniedError(), 'x')).toMatchObject({ retryable: false });
    });
  });

  describe('server versions', () => {
    it.each(['22.10.0', '23.10.1', '24.10.0', '25.0.0', '25.1.2-beta'])('accepts %s', (v) => {
      expect(() => checkServerVersion(v)).not.toThrow();
    });

    it.each(['21.10.9', '22.6.0', 'unknown', ''])(
      'refuses %p, naming the version needed and the way out',
      (v) => {
        expect(() => checkServerVersion(v)).toThrow(
          /too old for the ledger: it needs 22\.10 or later.*EVENT_STORE=postgres/s,
        );
      },
    );
  });

  describe('metadata', () => {
    it("round-trips the caller's metadata and the ledger fields", () => {
      const packed = packMetadata(metadata, ledger);
      expect(packed).toMatchObject({
        actor: metadata.actor,
        $correlationId: metadata.correlationId,
        $causationId: metadata.causationId,
        $ledger: ledger,
      });
      // Through JSON, as the server stores it.
      const back = unpackMetadata(JSON.parse(JSON.stringify(packed)));
      expect(back).toEqual({ metadata, ledger });
    });

    it('keeps metadata whose own keys start with $ whole under $ledger, still round-tripping exactly', () => {
      const odd: EventMetadata = { ...metadata, $ledger: 'mine', $correlationId: 'also mine' };
      const packed = packMetadata(odd, ledger);
      expect(packed.$correlationId).toBe(metadata.correlationId);
      expect(unpackMetadata(JSON.parse(JSON.stringify(packed)))).toEqual({ metadata: odd, ledger });
    });

    it('finds no ledger fields in foreign or damaged metadata', () => {
      expect(unpackMetadata(undefined)).toBeUndefined();
      expect(unpackMetadata(new Uint8Array([1, 2]))).toBeUndefined();
      expect(unpackMetadata({ actor: 'x' })).toBeUndefined();
      expect(unpackMetadata({ $ledger: { ...ledger, hash: 'nothex' } })).toBeUndefined();
      expect(unpackMetadata({ $ledger: { ...ledger, recordedAt: 'yesterday' } })).toBeUndefined();
      expect(
        unpackMetadata({ $ledger: { ...ledger, batch: { index: -1, size: 1 } } }),
      ).toBeUndefined();
    });
  });

  describe('events', () => {
    function stored(overrides: Partial<ClientRecordedEvent> = {}): ClientRecordedEvent {
      return {
        streamId: 'ledger-1',
        id: 'D2A7E7C4-7C1B-4E0B-9F3A-1B2C3D4E5F60',
        revision: 4n,
        type: 'CreditClaimed',
        data: { twelfths: '18' },
        metadata: JSON.parse(JSON.stringify(packMetadata(metadata, ledger))),
        isJson: true,
        created: new Date('2024-09-01T12:34:57Z'),
        position: { commit: 2n ** 40n + 7n, prepare: 2n ** 40n + 7n },
        ...overrides,
      };
    }

    it('decodes a ledger event: commit position as bigint, ledger fields, lower-case id', () => {
      const { event, ledger: fields } = decodeEvent(stored());
      expect(event).toEqual({
        streamName: 'ledger-1',
        id: 'd2a7e7c4-7c1b-4e0b-9f3a-1b2c3d4e5f60',
        type: 'CreditClaimed',
        schemaVersion: 3,
        data: { twelfths: '18' },
        metadata,
        revision: 4n,
        position: 2n ** 40n + 7n,
        recordedAt: new Date(ledger.recordedAt),
        hash: ledger.hash,
      });
      expect(fields).toEqual(ledger);
    });

    it('decodes a foreign event so that verification names it (schemaVersion 0, empty hash)', () => {
      const { event, ledger: fields } = decodeEvent(stored({ metadata: { actor: 'someone' } }));
      expect(fields).toBeUndefined();
      expect(event.hash).toBe('');
      expect(event.schemaVersion).toBe(0);
      expect(event.recordedAt).toEqual(new Date('2024-09-01T12:34:57Z'));
      expect(
        decodeEvent(stored({ isJson: false, data: new Uint8Array([1]) })).ledger,
      ).toBeUndefined();
    });

    it('refuses an event without a position: none, 0 (how the client reads an absent one) or 2^64−1 (servers before 22.6)', () => {
      for (const position of [
        undefined,
        { commit: 0n, prepare: 0n },
        { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n },
      ]) {
        expect(positionOf({ position })).toBeUndefined();
        expect(() => decodeEvent(stored({ position }))).toThrow(POSITION_MISSING);
        expect(() => decodeEvent(stored({ position }))).toThrow(EventStoreError);
      }
      expect(positionOf({ position: { commit: 1n, prepare: 1n } })).toBe(1n);
    });

    it('gives back exactly what was hashed, so the chain written by the adapter verifies', () => {
      const recordedAt = new Date('2024-09-01T12:34:56.789Z');
      let previous = genesisHash('ledger-1');
      const written = [0n, 1n].map((revision) => {
        const e = {
          id: `00000000-0000-4000-8000-00000000000${revision}`,
          type: 'CreditClaimed',
          schemaVersion: 1,
          data: { n: Number(revision), nested: { b: [1, { c: null }], a: 'ä' } },
          metadata,
        };
        const link = chainLink(previous, revision, contentDigest({ ...e, recordedAt }));
        previous = link;
        const packed = packMetadata(e.metadata, {
          hash: link.toString('hex'),
          recordedAt: recordedAt.toISOString(),
          schemaVersion: 1,
          batch: { index: Number(revision), size: 2 },
        });
        return stored({
          id: e.id,
          revision,
          data: JSON.parse(JSON.stringify(e.data)),
          metadata: JSON.parse(JSON.stringify(packed)),
          position: { commit: 100n + revision, prepare: 100n + revision },
        });
      });
      const events = written.map((w) => decodeEvent(w).event);
      expect(verifyChain('ledger-1', events)).toBeUndefined();
      const altered = decodeEvent({ ...written[1]!, data: { n: 2 } }).event;
      expect(verifyChain('ledger-1', [events[0]!, altered])).toMatchObject({
        kind: 'altered',
        revision: 1n,
      });
    });
  });

  describe('positions and system events', () => {
    it('resumes from {commit, prepare} of a stored position and orders positions', () => {
      expect(toClientPosition(123n)).toEqual({ commit: 123n, prepare: 123n });
      expect(comparePositions({ commit: 1n, prepare: 9n }, { commit: 2n, prepare: 0n })).toBe(-1);
      expect(comparePositions({ commit: 2n, prepare: 1n }, { commit: 2n, prepare: 0n })).toBe(1);
      expect(comparePositions(toClientPosition(5n), toClientPosition(5n))).toBe(0);
    });

    it('treats $ event types and $ streams (the id claims among them) as system events', () => {
      expect(isSystemEvent({ streamId: '$stats-127.0.0.1:2113', type: '$statsCollected' })).toBe(
        true,
      );
      expect(isSystemEvent({ streamId: '$ledger-id-x', type: 'Anything' })).toBe(true);
      expect(isSystemEvent({ streamId: 'ledger-1', type: '$>' })).toBe(true);
      expect(isSystemEvent({ streamId: 'ledger-1', type: 'CreditClaimed' })).toBe(false);
    });
  });
});

import {
  BOARD_SUBMISSION_EVENT_SCHEMA_VERSIONS,
  LEARNER_EVENT_SCHEMA_VERSIONS,
  learnerIdOfStream,
  type BoardSubmissionEvent,
  type LearnerEvent,
  type PersonalData,
} from '@ledger/domain';
import type { JsonObject, RecordedEvent } from '@ledger/event-store';
import type { EventCodec } from './command-handling/stream-command-executor';
import type { PersonalDataCipher } from './personal-data/personal-data-cipher';

/**
 * Upcasters: stored (type, schema version) → the data of the current version. A stored type
 * is never renamed; a new version gets an upcaster here from the one before it.
 */
type Upcaster = (data: JsonObject) => JsonObject;
type Upcasters = Partial<Record<string, Record<number, Upcaster>>>;

function upcast(recorded: RecordedEvent, current: number, upcasters: Upcasters): JsonObject {
  let data = recorded.data;
  for (let version = recorded.schemaVersion; version < current; version++) {
    const step = upcasters[recorded.type]?.[version];
    if (!step) throw new Error(`no upcaster for ${recorded.type} v${version} → v${version + 1}`);
    data = step(data);
  }
  return data;
}

/** Learner events that carry personal data: the profile, and a claim's identity snapshot. */
const WITH_PERSONAL_DATA: ReadonlySet<string> = new Set(['LearnerProfileUpdated', 'CreditClaimed']);

/**
 * Learner events; personal data (the profile's, a claim's snapshot) is encrypted with the
 * learner's key. Without a cipher (the read side) personal data is left out when decoding,
 * and encoding refuses it.
 */
export function learnerEventCodec(
  cipher?: PersonalDataCipher,
  upcasters: Upcasters = {},
): EventCodec<LearnerEvent> {
  const versions: Record<string, number> = LEARNER_EVENT_SCHEMA_VERSIONS;
  return {
    async encode(event, streamName) {
      const schemaVersion = versions[event.type];
      if (schemaVersion === undefined) throw new Error(`unknown learner event type ${event.type}`);
      if (event.type === 'LearnerProfileUpdated' || event.type === 'CreditClaimed') {
        const { personal, ...clear } = event.data;
        const data: JsonObject = { ...(clear as unknown as JsonObject) };
        if (personal) {
          if (!cipher) throw new Error('personal data cannot be stored without the cipher');
          data.personalEncrypted = await cipher.encrypt(learnerIdOf(streamName), personal);
        }
        return { type: event.type, schemaVersion, data };
      }
      return { type: event.type, schemaVersion, data: event.data as unknown as JsonObject };
    },
    async decode(recorded) {
      const current = versions[recorded.type];
      if (current === undefined || recorded.schemaVersion > current) return undefined;
      const data = upcast(recorded, current, upcasters);
      if (WITH_PERSONAL_DATA.has(recorded.type)) {
        const { personalEncrypted, ...clear } = data;
        const personal =
          typeof personalEncrypted === 'string' && cipher
            ? ((await cipher.decrypt(learnerIdOf(recorded.streamName), personalEncrypted)) as
                PersonalData | undefined)
            : undefined;
        return {
          type: recorded.type,
          data: { ...clear, ...(personal ? { personal } : {}) },
        } as unknown as LearnerEvent;
      }
      return { type: recorded.type, data } as unknown as LearnerEvent;
    },
  };
}

/** Board-submission events: no personal data in them. */
export function boardSubmissionEventCodec(
  upcasters: Upcasters = {},
): EventCodec<BoardSubmissionEvent> {
  const versions: Record<string, number> = BOARD_SUBMISSION_EVENT_SCHEMA_VERSIONS;
  return {
    async encode(event) {
      const schemaVersion = versions[event.type];
      if (schemaVersion === undefined)
        throw new Error(`unknown board submission event type ${event.type}`);
      return { type: event.type, schemaVersion, data: event.data as unknown as JsonObject };
    },
    async decode(recorded) {
      const current = versions[recorded.type];
      if (current === undefined || recorded.schemaVersion > current) return undefined;
      return {
        type: recorded.type,
        data: upcast(recorded, current, upcasters),
      } as unknown as BoardSubmissionEvent;
    },
  };
}

export function learnerIdOf(streamName: string): string {
  const learnerId = learnerIdOfStream(streamName);
  if (learnerId === undefined) throw new Error(`${streamName} is not a learner stream`);
  return learnerId;
}

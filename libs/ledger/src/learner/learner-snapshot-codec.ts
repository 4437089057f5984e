import {
  LEARNER_STATE_VERSION,
  LEARNER_STREAM_PREFIX,
  learnerSnapshotOf,
  learnerStateFromSnapshot,
  type LearnerSnapshot,
  type LearnerState,
  type PersonalData,
} from '@ledger/domain';
import type { SnapshotCodec } from '../command-handling/stream-snapshots';
import { learnerIdOf } from '../event-codecs';
import type { PersonalDataCipher } from '../personal-data/personal-data-cipher';

/**
 * A learner's folded state as a snapshot: plain JSON, its personal data (the profile's and the
 * claims' identities) encrypted with the learner's key as in the events. Once that key is
 * erased the snapshot cannot be read, and the stream is folded from its events again.
 */
export function learnerSnapshotCodec(cipher: PersonalDataCipher): SnapshotCodec<LearnerState> {
  return {
    stateVersion: `learner/${LEARNER_STATE_VERSION}`,
    async encode(state, streamName) {
      const { state: clear, personal } = learnerSnapshotOf(state);
      const sealed =
        personal.length === 0 ? null : await cipher.encrypt(learnerIdOf(streamName), personal);
      return JSON.stringify({ state: clear, personal: sealed });
    },
    async decode(text, streamName) {
      const { state, personal: sealed } = JSON.parse(text) as {
        state: LearnerSnapshot['state'];
        personal: string | null;
      };
      let personal: PersonalData[] = [];
      if (sealed !== null) {
        const opened = await cipher.decrypt(learnerIdOf(streamName), sealed);
        if (!Array.isArray(opened)) return undefined;
        personal = opened as PersonalData[];
      }
      return learnerStateFromSnapshot({ state, personal });
    },
  };
}

/** The snapshot codecs of the stream kinds worth one: learners (board submissions are short). */
export const snapshotCodecs = (cipher: PersonalDataCipher) => [
  { prefix: LEARNER_STREAM_PREFIX, codec: learnerSnapshotCodec(cipher) as SnapshotCodec<never> },
];

import type {
  BoardSubmissionEvent,
  BoardSubmissionEventType,
  LearnerEvent,
  LearnerEventType,
} from '@ledger/domain';
import type { JsonObject, RecordedEvent } from '@ledger/event-store';

/**
 * A ledger event as it leaves the service: a CloudEvents 1.0 event in JSON structured mode
 * (`application/cloudevents+json`). Positions and revisions are strings (64-bit; CloudEvents
 * integers are 32-bit).
 */
export interface LedgerCloudEvent {
  specversion: '1.0';
  /** The ledger event's id: the same event delivered twice has the same id (dedupe on it). */
  id: string;
  /** `LEDGER_FEED_SOURCE`. */
  source: string;
  /** `cme.ledger.<stored type>.v<schema version>`, e.g. `cme.ledger.CreditClaimed.v1`. */
  type: string;
  /** The stream: `learner-<learnerId>` or `board-submission-<submissionId>`. */
  subject: string;
  /** When the ledger recorded it (ISO 8601); the business time is `data.occurredAt`. */
  time: string;
  datacontenttype: 'application/json';
  /** Position in the ledger's log: strictly increasing; a replay starts after one of these. */
  ledgerposition: string;
  /** 0-based revision of the event in its stream: per subject, events come in this order. */
  ledgerrevision: string;
  /** The correlation id of the request that caused it (`X-Correlation-Id`). */
  correlationid: string;
  /** The event's data, its personal data left out (see `FEED_FIELDS`); absent for a type this version does not know. */
  data?: JsonObject;
}

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

type FieldsOf<E extends { data: object }> = readonly (keyof E['data'] & string)[];
type LearnerFields = { [T in LearnerEventType]: FieldsOf<Extract<LearnerEvent, { type: T }>> };
type SubmissionFields = {
  [T in BoardSubmissionEventType]: FieldsOf<Extract<BoardSubmissionEvent, { type: T }>>;
};

const SUBMISSION_REF = ['submissionId', 'learnerId', 'claimId', 'board'] as const;

/**
 * What of each event's data leaves the service: a list per type, checked against the domain's
 * event types, so that a field added later stays in until someone decides it may go out.
 * Withheld, and why:
 * - `personal` of `LearnerProfileUpdated` and `CreditClaimed` (stored encrypted as
 *   `personalEncrypted`): names, birthday, board ids, licences, NPI. Not even the ciphertext
 *   goes out: no consumer holds the key, and a copy elsewhere would outlive nothing useful.
 * - `reason` of `PersonalDataErased`: free text written by older versions.
 * - `reason` of `LearnerBoardIdentityChecked` (the board's words on a mismatch, likewise) and of
 *   `BoardSubmissionAwaitingConsent` (said to the learner; the type says it all).
 * - `reason` of `BoardSubmissionFailed`: the board's own words, which may quote the learner's
 *   board id or NPI. `retryable` says what a consumer can act on; the learner's claims read
 *   (`GET /v1/learners/{id}/claims`) gives the reason to those allowed to see it.
 */
export const FEED_FIELDS: LearnerFields & SubmissionFields = {
  LearnerProfileUpdated: [
    'occurredAt',
    'profileVersion',
    'clinicalRole',
    'country',
    'boards',
    'licenseStates',
  ],
  QuestionResearched: ['researchId', 'occurredAt', 'earnedYear', 'twelfths'],
  AnswerCorrect: ['questionId', 'occurredAt', 'earnedYear', 'twelfths'],
  AnswerIncorrect: ['questionId', 'occurredAt'],
  CorrectAnswerRepeated: ['questionId', 'occurredAt'],
  CreditClaimed: [
    'claimId',
    'activity',
    'occurredAt',
    'twelfths',
    'breakdown',
    'boards',
    'clinicalRole',
    'certificate',
    'profileVersion',
    'completedFrom',
    'completedTo',
    'submissions',
  ],
  PersonalDataErased: ['occurredAt', 'ticket'],
  HistoryImported: ['occurredAt', 'reference', 'importedBy', 'facts', 'earliest', 'latest'],
  DataSharingConsentGranted: ['occurredAt', 'profileVersion', 'boards'],
  DataSharingConsentWithdrawn: ['occurredAt', 'profileVersion', 'boards'],
  LearnerBoardIdentityChecked: ['occurredAt', 'board', 'profileVersion', 'outcome'],
  BoardSubmissionRequested: [
    ...SUBMISSION_REF,
    'activity',
    'twelfths',
    'claimedAt',
    'occurredAt',
    'attempt',
    'completedAt',
    'profileVersion',
    'reportedWith',
  ],
  BoardSubmissionRetryRequested: [...SUBMISSION_REF, 'occurredAt', 'attempt', 'profileVersion'],
  BoardSubmissionSucceeded: [...SUBMISSION_REF, 'occurredAt', 'attempt'],
  BoardSubmissionFailed: [
    ...SUBMISSION_REF,
    'occurredAt',
    'attempt',
    'retryable',
    'profileVersion',
  ],
  BoardRecordConfirmed: [...SUBMISSION_REF, 'occurredAt', 'attempt'],
  BoardSubmissionFlaggedForFollowUp: [...SUBMISSION_REF, 'occurredAt', 'acceptedAt'],
  BoardSubmissionAwaitingConsent: [...SUBMISSION_REF, 'occurredAt', 'attempt'],
  BoardSubmissionResumed: [...SUBMISSION_REF, 'occurredAt', 'attempt', 'correcting'],
  BoardSubmissionCorrectionRequested: [
    ...SUBMISSION_REF,
    'occurredAt',
    'attempt',
    'reference',
    'twelfths',
    'combined',
    'profileVersion',
  ],
  BoardRecordDeleted: [...SUBMISSION_REF, 'occurredAt', 'attempt'],
};

const fieldsOf = (type: string): readonly string[] | undefined =>
  Object.prototype.hasOwnProperty.call(FEED_FIELDS, type)
    ? (FEED_FIELDS as Record<string, readonly string[]>)[type]
    : undefined;

/** The stored event as its CloudEvent: only the fields `FEED_FIELDS` lets out. */
export function toCloudEvent(recorded: RecordedEvent, source: string): LedgerCloudEvent {
  const fields = fieldsOf(recorded.type);
  const event: LedgerCloudEvent = {
    specversion: '1.0',
    id: recorded.id,
    source,
    type: `cme.ledger.${recorded.type}.v${recorded.schemaVersion}`,
    subject: recorded.streamName,
    time: recorded.recordedAt.toISOString(),
    datacontenttype: 'application/json',
    ledgerposition: recorded.position.toString(),
    ledgerrevision: recorded.revision.toString(),
    correlationid: recorded.metadata.correlationId,
  };
  if (fields) {
    const data: JsonObject = {};
    for (const field of fields) {
      const value = recorded.data[field];
      if (value !== undefined) data[field] = value;
    }
    event.data = data;
  }
  return event;
}

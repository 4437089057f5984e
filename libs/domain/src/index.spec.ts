import {
  boardSubmissionStreamName,
  EVENT_SCHEMA_VERSIONS,
  isBoardSubmissionStream,
  isDomainEventType,
  learnerIdOfStream,
  learnerStreamName,
} from './index';

describe('the public face of the domain', () => {
  it('gives every stored event type a schema version (all 1 for now)', () => {
    expect(EVENT_SCHEMA_VERSIONS).toEqual({
      LearnerProfileUpdated: 1,
      QuestionResearched: 1,
      AnswerCorrect: 1,
      AnswerIncorrect: 1,
      CorrectAnswerRepeated: 1,
      CreditClaimed: 1,
      HistoryImported: 1,
      PersonalDataErased: 1,
      DataSharingConsentGranted: 1,
      DataSharingConsentWithdrawn: 1,
      LearnerBoardIdentityChecked: 1,
      BoardSubmissionRequested: 1,
      BoardSubmissionRetryRequested: 1,
      BoardSubmissionSucceeded: 1,
      BoardSubmissionFailed: 1,
      BoardRecordConfirmed: 1,
      BoardSubmissionFlaggedForFollowUp: 1,
      BoardSubmissionAwaitingConsent: 1,
      BoardSubmissionResumed: 1,
      BoardSubmissionCorrectionRequested: 1,
      BoardRecordDeleted: 1,
    });
    expect(isDomainEventType('CreditClaimed')).toBe(true);
    expect(isDomainEventType('CreditsClaimed')).toBe(false);
    expect(isDomainEventType('toString')).toBe(false);
  });

  it('names the streams as the style guide does', () => {
    expect(learnerStreamName('6f1c')).toBe('learner-6f1c');
    expect(boardSubmissionStreamName('9a2b')).toBe('board-submission-9a2b');
  });

  it('reads the learner back out of a learner stream name, and only out of one', () => {
    expect(learnerIdOfStream(learnerStreamName('6f1c'))).toBe('6f1c');
    expect(learnerIdOfStream(boardSubmissionStreamName('9a2b'))).toBeUndefined();
    expect(isBoardSubmissionStream(boardSubmissionStreamName('9a2b'))).toBe(true);
    expect(isBoardSubmissionStream(learnerStreamName('6f1c'))).toBe(false);
  });
});

/**
 * The names of the ledger's streams, spelled here only: `learner-<learnerId>` and
 * `board-submission-<submissionId>`. Everything that names a stream or reads an id back out of
 * one (codecs, projections, the board submission process, the as-of replay) calls these.
 */
export const LEARNER_STREAM_PREFIX = 'learner-';
export const BOARD_SUBMISSION_STREAM_PREFIX = 'board-submission-';

export const learnerStreamName = (learnerId: string): string =>
  `${LEARNER_STREAM_PREFIX}${learnerId}`;

export const boardSubmissionStreamName = (submissionId: string): string =>
  `${BOARD_SUBMISSION_STREAM_PREFIX}${submissionId}`;

export const isLearnerStream = (streamName: string): boolean =>
  streamName.startsWith(LEARNER_STREAM_PREFIX);

export const isBoardSubmissionStream = (streamName: string): boolean =>
  streamName.startsWith(BOARD_SUBMISSION_STREAM_PREFIX);

/** The learner whose stream it is, or undefined for any other stream. */
export const learnerIdOfStream = (streamName: string): string | undefined =>
  isLearnerStream(streamName) ? streamName.slice(LEARNER_STREAM_PREFIX.length) : undefined;

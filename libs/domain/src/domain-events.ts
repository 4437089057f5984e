import {
  BOARD_SUBMISSION_EVENT_SCHEMA_VERSIONS,
  type BoardSubmissionEvent,
} from './board-submission/board-submission.events';
import { LEARNER_EVENT_SCHEMA_VERSIONS, type LearnerEvent } from './learner/learner.events';

/** Every event the domain records, and the stored schema version of each type. */
export type DomainEvent = LearnerEvent | BoardSubmissionEvent;
export type DomainEventType = DomainEvent['type'];

export const EVENT_SCHEMA_VERSIONS: Readonly<Record<DomainEventType, number>> = {
  ...LEARNER_EVENT_SCHEMA_VERSIONS,
  ...BOARD_SUBMISSION_EVENT_SCHEMA_VERSIONS,
};

export const isDomainEventType = (type: string): type is DomainEventType =>
  Object.prototype.hasOwnProperty.call(EVENT_SCHEMA_VERSIONS, type);

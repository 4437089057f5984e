/** @ledger/boards: board reporting (R8, R9, R16): the gateway port and its channels. */
export {
  BOARD_GATEWAY,
  BoardRequestRefusedError,
  BoardUnavailableError,
  type BoardGateway,
  type BoardLearnerIdentity,
  type BoardRecordStatus,
  type BoardSubmissionRequest,
  type BoardSubmissionResult,
  type LearnerMatchRequest,
  type LearnerMatchResult,
} from './board-gateway.port';
export {
  HTTP_BOARD_GATEWAY_DEFAULTS,
  HttpBoardGateway,
  type HttpBoardGatewayOptions,
} from './http/http-board-gateway';
export { fullJitterDelay } from './http/backoff';
export {
  RETRYING_HTTP_DEFAULTS,
  RetryingHttp,
  type RetryingHttpOptions,
} from './http/retrying-http';
export {
  PARS_ACTIVITIES,
  parsActivities,
  parsBoardCode,
  type ParsActivityConfig,
  type ParsMocRegistration,
} from './pars/pars-activities';
export {
  activityView,
  calendarDate,
  completionRecord,
  errorsText,
  errorsXml,
  learnerMatchOf,
  NotReportableThroughPars,
  PARS_OPERATIONS,
  PARS_TIME_ZONE,
  readActivity,
  readErrors,
  type ParsActivityView,
  type ParsCompletion,
  type ParsError,
  type ParsLearnerMatch,
  type ParsOperation,
  type ParsRecordStatus,
} from './pars/pars-messages';
export {
  ParsBoardGateway,
  type ActivityCheck,
  type LearnerMatchAnswer,
  type ParsGatewayOptions,
} from './pars/pars-gateway';
export {
  childNamed,
  childrenNamed,
  childText,
  parseXml,
  toXml,
  XmlSyntaxError,
  type XmlElement,
  type XmlFields,
} from './pars/xml';
export {
  parseTemplateB,
  TEMPLATE_B_HEADER,
  templateBFile,
  TemplateBError,
} from './pars/learner-template-b';

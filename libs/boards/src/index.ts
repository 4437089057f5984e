/** @ledger/boards: board reporting (R8, R9, R16): the gateway port and its HTTP adapter. */
export {
  BOARD_GATEWAY,
  BoardRequestRefusedError,
  BoardUnavailableError,
  type BoardGateway,
  type BoardLearnerIdentity,
  type BoardRecordStatus,
  type BoardSubmissionRequest,
  type BoardSubmissionResult,
} from './board-gateway.port';
export {
  HTTP_BOARD_GATEWAY_DEFAULTS,
  HttpBoardGateway,
  type HttpBoardGatewayOptions,
} from './http/http-board-gateway';
export { fullJitterDelay } from './http/backoff';

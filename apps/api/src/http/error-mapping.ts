import { HttpException } from '@nestjs/common';
import { StreamIntegrityError } from '@ledger/audit';
import { isDomainRuleViolation } from '@ledger/domain';
import {
  EventStoreError,
  IdempotencyConflictError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '@ledger/event-store';
import {
  ConcurrencyExhaustedError,
  LearnerNotFoundError,
  SubmissionNotFoundError,
} from '@ledger/ledger';
import {
  InvalidCursorError,
  LearnerReadModelIncompleteError,
  ProjectionBehindError,
} from '@ledger/read-models';
import { ApiError, type ErrorBody } from './api-error';

/** Business-rule refusals answered 409 (a conflict with what exists) rather than 422. */
const CONFLICT_CODES = new Set([
  'claim-id-conflict',
  'submission-conflict',
  'already-confirmed',
  'submission-in-flight',
]);

type ErrorResponse = { body: ErrorBody; headers: Record<string, string> };

/** An error answer with no more than its status, code and message. */
function plain(statusCode: number, code: string, message: string): ErrorResponse {
  return { body: { statusCode, code, message }, headers: {} };
}

/** An answer the caller may try again in a second. */
function retryLater(statusCode: number, code: string, message: string): ErrorResponse {
  return { body: { statusCode, code, message }, headers: { 'retry-after': '1' } };
}

/** Any error → the one error shape and its headers. 5xx bodies never carry internals. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof ApiError) {
    const body: ErrorBody = {
      statusCode: error.getStatus(),
      code: error.code,
      message: error.message,
    };
    if (error.extra.rule) body.rule = error.extra.rule;
    if (error.extra.errors) body.errors = error.extra.errors;
    return { body, headers: error.extra.headers ?? {} };
  }
  if (isDomainRuleViolation(error)) {
    const status = CONFLICT_CODES.has(error.code) ? 409 : 422;
    const body: ErrorBody = {
      statusCode: status,
      code: error.code,
      message: error.message,
      rule: error.rule,
    };
    if (error.field) body.errors = [{ field: error.field, message: error.message }];
    return { body, headers: {} };
  }
  if (error instanceof WrongExpectedRevisionError || error instanceof ConcurrencyExhaustedError) {
    return retryLater(
      409,
      'concurrency-conflict',
      "the learner's history changed meanwhile; retry",
    );
  }
  if (error instanceof ProjectionBehindError) {
    return {
      body: {
        statusCode: 503,
        code: 'read-model-behind',
        message: `${error.message}; retry shortly`,
        position: error.current.toString(),
        ...(error.reason ? { reason: error.reason } : {}),
      },
      headers: { 'retry-after': '1' },
    };
  }
  if (error instanceof LearnerReadModelIncompleteError) {
    // Not transient: an operator must fix and rebuild; no wrong figures meanwhile.
    return plain(503, 'read-model-incomplete', error.message);
  }
  if (error instanceof InvalidCursorError) {
    return {
      body: {
        statusCode: 400,
        code: 'validation-failed',
        message: `cursor: ${error.message}`,
        errors: [{ field: 'cursor', message: error.message }],
      },
      headers: {},
    };
  }
  if (error instanceof StreamIntegrityError) {
    // Not transient: the stream's history is not the one recorded; an operator must restore it.
    return plain(503, error.code, error.message);
  }
  if (error instanceof SubmissionNotFoundError || error instanceof LearnerNotFoundError) {
    return plain(404, 'not-found', error.message);
  }
  if (error instanceof IdempotencyConflictError) {
    return plain(409, 'idempotency-conflict', error.message);
  }
  if (error instanceof InvalidAppendError) {
    return plain(400, 'invalid-input', error.message);
  }
  if (error instanceof EventStoreError && error.retryable) {
    // The store is restarting or electing a leader: nothing was decided, the same call may work.
    return retryLater(
      503,
      'event-store-unavailable',
      'the event store did not answer; retry shortly',
    );
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code =
      status === 404
        ? 'not-found'
        : status === 413
          ? 'payload-too-large'
          : status === 415
            ? 'unsupported-media-type'
            : status === 429
              ? 'rate-limited'
              : status === 400
                ? 'bad-request'
                : `http-${status}`;
    const message = status >= 500 ? 'internal error' : error.message;
    return plain(status, code, message);
  }
  const status = httpStatusOf(error);
  if (status !== undefined) {
    // Errors raised by the body parser (malformed JSON, too large, wrong charset).
    const type = (error as { type?: string }).type;
    const code =
      status === 413
        ? 'payload-too-large'
        : status === 415
          ? 'unsupported-media-type'
          : type === 'entity.parse.failed'
            ? 'malformed-json'
            : 'bad-request';
    const message =
      code === 'malformed-json'
        ? 'the body is not valid JSON'
        : code === 'payload-too-large'
          ? 'the body is larger than the limit'
          : 'the request cannot be read';
    return plain(status, code, message);
  }
  return plain(500, 'internal-error', 'internal error');
}

function httpStatusOf(error: unknown): number | undefined {
  const status =
    (error as { status?: unknown; statusCode?: unknown })?.status ??
    (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

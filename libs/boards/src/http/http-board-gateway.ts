import {
  type BoardGateway,
  type BoardRecordStatus,
  type BoardSubmissionRequest,
  type BoardSubmissionResult,
  type LearnerMatchRequest,
  type LearnerMatchResult,
} from '../board-gateway.port';
import { submissionResultOf, valueOrThrow } from './board-outcomes';
import { RETRYING_HTTP_DEFAULTS, RetryingHttp, type RetryingHttpOptions } from './retrying-http';

export interface HttpBoardGatewayOptions extends RetryingHttpOptions {
  /** Where the boards answer, e.g. `http://127.0.0.1:4010`. */
  baseUrl: string;
}

export const HTTP_BOARD_GATEWAY_DEFAULTS = RETRYING_HTTP_DEFAULTS;

/**
 * The board reporting gateway over HTTP (ACCME-style direct credit reporting). Each call
 * retries what may pass on a second try (network errors, timeouts, 408, 425, 429, 5xx) with
 * exponential backoff and full jitter, within an attempt budget and a time budget; a 4xx is a
 * refusal and is never retried. The submission id travels as the idempotency key (the
 * `Idempotency-Key` header and `submissionId` in the body), so that a retry of a request the
 * board did receive, but whose answer was lost, records nothing twice.
 */
export class HttpBoardGateway implements BoardGateway {
  private readonly baseUrl: URL;
  private readonly http: RetryingHttp;

  constructor(options: HttpBoardGatewayOptions) {
    const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.baseUrl = new URL(base);
    this.http = new RetryingHttp(options);
  }

  async submit(request: BoardSubmissionRequest): Promise<BoardSubmissionResult> {
    const url = this.url(`boards/${encodeURIComponent(request.board)}/submissions`);
    const body = JSON.stringify(request);
    const outcome = await this.http.withRetries<string>(async (signal) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'Idempotency-Key': request.submissionId,
        },
        body,
        signal,
      });
      const answer = await readJson(response);
      if (response.status === 200 || response.status === 201) {
        const boardRecordId = answer?.['boardRecordId'];
        if (typeof boardRecordId === 'string' && boardRecordId !== '') {
          return { kind: 'done', value: boardRecordId };
        }
        return { kind: 'retry', reason: `HTTP ${response.status} without a boardRecordId` };
      }
      return this.http.failedStep(response, boardReason(answer));
    });
    return submissionResultOf(outcome, request.board);
  }

  /** This protocol has no learner match: no answer, so nothing is recorded (R16). */
  matchLearnerIdentity(request: LearnerMatchRequest): Promise<LearnerMatchResult> {
    return Promise.resolve({
      outcome: 'no-answer',
      reason: `${request.board}: this channel offers no learner match`,
    });
  }

  async recordStatus(board: string, submissionId: string): Promise<BoardRecordStatus> {
    const url = this.url(
      `boards/${encodeURIComponent(board)}/submissions/${encodeURIComponent(submissionId)}`,
    );
    const outcome = await this.http.withRetries<BoardRecordStatus>(async (signal) => {
      const response = await fetch(url, { headers: { Accept: 'application/json' }, signal });
      const answer = await readJson(response);
      if (response.status === 200) {
        const status = asRecordStatus(answer);
        return status === undefined
          ? { kind: 'retry', reason: 'HTTP 200 without a record status' }
          : { kind: 'done', value: status };
      }
      if (response.status === 404 && answer?.['found'] === false) {
        return { kind: 'done', value: { found: false, confirmed: false } };
      }
      return this.http.failedStep(response, boardReason(answer));
    });
    return valueOrThrow(outcome, board, board);
  }

  /** R8: DELETE of the submission's record; 404 means there is none (any more): deleted. */
  async deleteRecord(board: string, submissionId: string): Promise<void> {
    const url = this.url(
      `boards/${encodeURIComponent(board)}/submissions/${encodeURIComponent(submissionId)}`,
    );
    const outcome = await this.http.withRetries<true>(async (signal) => {
      const response = await fetch(url, {
        method: 'DELETE',
        headers: { Accept: 'application/json' },
        signal,
      });
      const answer = await readJson(response);
      if (response.status === 200 || response.status === 204 || response.status === 404) {
        return { kind: 'done', value: true };
      }
      return this.http.failedStep(response, boardReason(answer));
    });
    valueOrThrow(outcome, board, board);
  }

  private url(path: string): URL {
    return new URL(path, this.baseUrl);
  }
}

/** The answer's JSON object, if it is one; the body is always read so the socket is freed. */
async function readJson(response: Response): Promise<Record<string, unknown> | undefined> {
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function boardReason(answer: Record<string, unknown> | undefined): string | undefined {
  const reason = answer?.['reason'] ?? answer?.['message'];
  return typeof reason === 'string' && reason.trim() !== '' ? reason : undefined;
}

function asRecordStatus(
  answer: Record<string, unknown> | undefined,
): BoardRecordStatus | undefined {
  const found = answer?.['found'];
  const confirmed = answer?.['confirmed'];
  const confirmedAt = answer?.['confirmedAt'];
  if (typeof found !== 'boolean' || typeof confirmed !== 'boolean') return undefined;
  return typeof confirmedAt === 'string' ? { found, confirmed, confirmedAt } : { found, confirmed };
}

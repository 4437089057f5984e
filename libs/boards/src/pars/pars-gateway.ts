// The port's types, as the HTTP adapter (http/http-board-gateway.ts) imports them: both implement it.
import {
  type BoardGateway,
  type BoardRecordStatus,
  type BoardSubmissionRequest,
  type BoardSubmissionResult,
  type LearnerMatchRequest,
  type LearnerMatchResult,
} from '../board-gateway.port';
import { submissionResultOf, unreachable, valueOrThrow } from '../http/board-outcomes';
import {
  RetryingHttp,
  type Outcome,
  type RetryingHttpOptions,
  type Step,
} from '../http/retrying-http';
import { PARS_ACTIVITIES, type ParsActivityConfig } from './pars-activities';
import {
  activityView,
  completionRecord,
  errorsText,
  getActivityXml,
  learnerMatchOf,
  learnerMatchXml,
  NotReportableThroughPars,
  PARS_TIME_ZONE,
  readActivity,
  readErrors,
  recordRequestXml,
  saveActivityXml,
  saveLearnerActivityXml,
  type ParsActivityView,
  type ParsLearnerMatch,
  type ParsOperation,
} from './pars-messages';
import { childNamed, childText, parseXml, XmlSyntaxError, type XmlElement } from './xml';

export interface ParsGatewayOptions extends RetryingHttpOptions {
  /** PARS's web-service base, e.g. `http://127.0.0.1:4010/pars/ws` (the PARS simulator). */
  baseUrl: string;
  /** The accredited provider's PARS id. */
  providerId: string;
  /** The provider's web-service key, sent as a bearer token. */
  apiKey?: string;
  activities?: Readonly<Record<string, ParsActivityConfig>>;
  /** The time zone completion dates are given in. Default America/Chicago. */
  timeZone?: string;
}

/** What the learner-match service said. */
export type LearnerMatchAnswer =
  | { outcome: 'matched' }
  | { outcome: 'mismatch'; reason: string }
  | { outcome: 'unavailable'; reason: string };

/** What `verifyActivity` found: the activity as PARS holds it, and where it differs. */
export type ActivityCheck =
  | { status: 'registered'; activityId: string }
  | { status: 'missing'; activityId: string }
  | { status: 'different'; activityId: string; differences: string[] };

/**
 * The board gateway through ACCME PARS's web services (R8, R9): a claim's submission becomes
 * one learner completion record (`SaveLearnerActivity`), its status is read back with
 * `GetLearnerStatus` (accepted or rejected within 24 hours, A-3), a correction deletes the
 * record (`DeleteLearnerActivity`) before a resubmission, and `LearnerMatchRequest` checks a
 * learner's identity before any claim. XML over HTTPS; the retry discipline of every board
 * channel (`RetryingHttp`); our submission id is the record's provider id, so a retry of a
 * request PARS did receive records nothing twice.
 */
export class ParsBoardGateway implements BoardGateway {
  private readonly baseUrl: URL;
  private readonly http: RetryingHttp;
  private readonly providerId: string;
  private readonly apiKey: string | undefined;
  private readonly activities: Readonly<Record<string, ParsActivityConfig>>;
  private readonly timeZone: string;

  constructor(options: ParsGatewayOptions) {
    const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.baseUrl = new URL(base);
    this.http = new RetryingHttp(options);
    if (options.providerId.trim() === '') throw new RangeError('providerId must not be empty');
    this.providerId = options.providerId;
    this.apiKey = options.apiKey;
    this.activities = options.activities ?? PARS_ACTIVITIES;
    this.timeZone = options.timeZone ?? PARS_TIME_ZONE;
  }

  async submit(request: BoardSubmissionRequest): Promise<BoardSubmissionResult> {
    let xml: string;
    try {
      xml = saveLearnerActivityXml(
        this.providerId,
        completionRecord(request, this.activities, this.timeZone),
      );
    } catch (error) {
      if (error instanceof NotReportableThroughPars) {
        return { outcome: 'rejected', reason: error.message };
      }
      throw error;
    }
    const outcome = await this.call('SaveLearnerActivity', xml, (answer) => {
      const status = childText(answer, 'Status');
      const recordId = childText(answer, 'LearnerRecordId');
      if (status === 'Rejected')
        return { kind: 'refused', status: 200, reason: errorsText(readErrors(answer)) };
      if (status === 'Received' && recordId !== undefined) return { kind: 'done', value: recordId };
      return {
        kind: 'retry',
        reason: `PARS answered status ${status ?? 'none'} without a record id`,
      };
    });
    return submissionResultOf(outcome, 'PARS');
  }

  /** R9: the record's status in PARS: accepted is confirmed, pending is not yet. */
  async recordStatus(board: string, submissionId: string): Promise<BoardRecordStatus> {
    const outcome = await this.call<BoardRecordStatus>(
      'GetLearnerStatus',
      recordRequestXml('GetLearnerStatus', this.providerId, submissionId),
      (answer) => {
        const status = childText(answer, 'Status');
        const at = childText(answer, 'StatusDate');
        switch (status) {
          case 'Accepted':
            return {
              kind: 'done',
              value: {
                found: true,
                confirmed: true,
                ...(at === undefined ? {} : { confirmedAt: at }),
              },
            };
          case 'Pending':
            return { kind: 'done', value: { found: true, confirmed: false } };
          case 'Rejected':
            return {
              kind: 'done',
              value: { found: true, confirmed: false, rejected: errorsText(readErrors(answer)) },
            };
          case 'NotFound':
          case 'Deleted':
            return { kind: 'done', value: { found: false, confirmed: false } };
          default:
            return { kind: 'retry', reason: `PARS answered an unknown status ${status ?? 'none'}` };
        }
      },
    );
    return valueOrThrow(outcome, board, 'PARS');
  }

  /** A correction's first half (R8): PARS records cannot be edited, only deleted. */
  async deleteRecord(board: string, submissionId: string): Promise<void> {
    const outcome = await this.call(
      'DeleteLearnerActivity',
      recordRequestXml('DeleteLearnerActivity', this.providerId, submissionId),
      (answer) => {
        const status = childText(answer, 'Status');
        if (status === 'Deleted' || status === 'NotFound') return { kind: 'done', value: true };
        return { kind: 'refused', status: 200, reason: errorsText(readErrors(answer)) };
      },
    );
    valueOrThrow(outcome, board, 'PARS');
  }

  /**
   * R16: the port's learner match: the identity the board matches by (`learnerMatchOf`), asked
   * with `LearnerMatchRequest`. A board PARS does not reach has none.
   */
  async matchLearnerIdentity(request: LearnerMatchRequest): Promise<LearnerMatchResult> {
    let match: ParsLearnerMatch;
    try {
      match = learnerMatchOf(request.board, request.learner);
    } catch (error) {
      if (error instanceof NotReportableThroughPars)
        return { outcome: 'no-answer', reason: error.message };
      throw error;
    }
    const outcome = await this.askLearnerMatch(match);
    switch (outcome.kind) {
      case 'done':
        return outcome.value.outcome === 'matched'
          ? outcome.value
          : { outcome: 'mismatched', reason: `${request.board}: ${outcome.value.reason}` };
      case 'refused':
        // The request was refused (a 4xx), not the learner: no answer about the identity.
        return {
          outcome: 'no-answer',
          reason: `PARS refused the learner match: ${outcome.reason}`,
        };
      case 'exhausted':
        return { outcome: 'unavailable', reason: `PARS ${outcome.reason}` };
      default:
        return unreachable(outcome);
    }
  }

  /** Learner match: whether PARS finds the learner at the board with this identity. */
  async matchLearner(learner: ParsLearnerMatch): Promise<LearnerMatchAnswer> {
    const outcome = await this.askLearnerMatch(learner);
    switch (outcome.kind) {
      case 'done':
        return outcome.value;
      case 'refused':
        return { outcome: 'mismatch', reason: outcome.reason };
      case 'exhausted':
        return { outcome: 'unavailable', reason: `PARS ${outcome.reason}` };
      default:
        return unreachable(outcome);
    }
  }

  /** Asks `LearnerMatchRequest`: matched, or a mismatch with PARS's errors as the reason. */
  private askLearnerMatch(
    learner: ParsLearnerMatch,
  ): Promise<Outcome<Exclude<LearnerMatchAnswer, { outcome: 'unavailable' }>>> {
    return this.call<Exclude<LearnerMatchAnswer, { outcome: 'unavailable' }>>(
      'LearnerMatchRequest',
      learnerMatchXml(this.providerId, learner),
      (answer) => {
        const result = childText(answer, 'MatchResult');
        if (result === 'Matched') return { kind: 'done', value: { outcome: 'matched' } };
        if (result === 'NotMatched') {
          return {
            kind: 'done',
            value: { outcome: 'mismatch', reason: errorsText(readErrors(answer)) },
          };
        }
        return {
          kind: 'retry',
          reason: `PARS answered an unknown match result ${result ?? 'none'}`,
        };
      },
    );
  }

  /** Registers an activity (SaveActivity); PARS keeps the provider's activity id. */
  async registerActivity(activity: ParsActivityConfig): Promise<void> {
    const outcome = await this.call(
      'SaveActivity',
      saveActivityXml(this.providerId, activity),
      (answer) =>
        childText(answer, 'Status') === 'Saved'
          ? { kind: 'done', value: true }
          : { kind: 'refused', status: 200, reason: errorsText(readErrors(answer)) },
    );
    valueOrThrow(outcome, 'PARS', 'PARS');
  }

  /** Compares what PARS holds for an activity (GetActivity) with its configuration. */
  async verifyActivity(activity: ParsActivityConfig): Promise<ActivityCheck> {
    const outcome = await this.call<ParsActivityView | undefined>(
      'GetActivity',
      getActivityXml(this.providerId, activity.parsActivityId),
      (answer) => {
        const found = childNamed(answer, 'Activity');
        return { kind: 'done', value: found === undefined ? undefined : readActivity(found) };
      },
    );
    const held = valueOrThrow(outcome, 'PARS', 'PARS');
    const activityId = activity.parsActivityId;
    if (held === undefined) return { status: 'missing', activityId };
    const wanted = activityView(activity);
    const differences = (Object.keys(wanted) as (keyof ParsActivityView)[])
      .filter((key) => JSON.stringify(wanted[key]) !== JSON.stringify(held[key]))
      .map(
        (key) =>
          `${key}: PARS has ${JSON.stringify(held[key])}, configured ${JSON.stringify(wanted[key])}`,
      );
    return differences.length === 0
      ? { status: 'registered', activityId }
      : { status: 'different', activityId, differences };
  }

  /** One operation: POST the document, read the answer document, retry what may pass. */
  private call<T>(
    operation: ParsOperation,
    body: string,
    read: (answer: XmlElement) => Step<T>,
  ): Promise<Outcome<T>> {
    const url = new URL(operation, this.baseUrl);
    const headers: Record<string, string> = {
      'Content-Type': 'application/xml; charset=utf-8',
      Accept: 'application/xml',
    };
    if (this.apiKey !== undefined) headers['Authorization'] = `Bearer ${this.apiKey}`;
    return this.http.withRetries<T>(async (signal) => {
      const response = await fetch(url, { method: 'POST', headers, body, signal });
      const text = await response.text();
      let answer: XmlElement | undefined;
      try {
        answer = parseXml(text);
      } catch (error) {
        if (!(error instanceof XmlSyntaxError)) throw error;
      }
      if (response.status === 200 && answer !== undefined) return read(answer);
      if (response.status === 200)
        return { kind: 'retry', reason: 'PARS answered HTTP 200 without an XML document' };
      const told = answer === undefined ? undefined : errorsText(readErrors(answer)) || undefined;
      return this.http.failedStep(response, told);
    });
  }
}

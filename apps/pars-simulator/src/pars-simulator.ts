import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  activityView,
  calendarDate,
  childNamed,
  childText,
  errorsXml,
  PARS_OPERATIONS,
  PARS_TIME_ZONE,
  parsActivities,
  parseXml,
  readActivity,
  toXml,
  XmlSyntaxError,
  type ParsError,
  type ParsOperation,
  type XmlElement,
  type XmlFields,
} from '@ledger/boards';
import {
  directoryKey,
  learnerMismatch,
  matchIds,
  readCompletion,
  readLearnerMatch,
  reportingWindowError,
  type KnownLearner,
  type LearnerDirectory,
} from './pars-checks';
import { NO_FAULTS, ParsRecords, type Faults } from './pars-records';

/**
 * The PARS simulator: ACCME's Program and Activity Reporting System as the ledger's board
 * channel sees it (R8, R9), for development and tests, in its own process. Wire format and
 * rules as docs/pars-assumptions.md describes them: each web-service operation is a POST of
 * one XML document to `/pars/ws/<Operation>`, answered 200 with an XML document (`Status`,
 * `Errors`), or 400 when the document cannot be read.
 *
 * - `SaveActivity` / `GetActivity`: the provider's activities (registered ones only take
 *   learner records).
 * - `SaveLearnerActivity`: refused at once (`Status` Rejected) for an unknown activity, a
 *   completion outside the activity's dates or PARS's reporting window, a learner the
 *   board cannot match, or a duplicate of another record; else `Received` with a
 *   `LearnerRecordId`. The same provider record id again is the same record (idempotent),
 *   unless that record was deleted or rejected: then it is a new record.
 * - `GetLearnerStatus`: Pending for `decideAfterMs` after receipt (A-3: within 24 hours), then
 *   Accepted, or Rejected for learner ids in `rejectLaterIds` or starting with `999`.
 * - `DeleteLearnerActivity`: a correction's first half.
 * - `LearnerMatchRequest`: Matched or NotMatched with the reason.
 * Faults (web-service routes only): `latencyMs`, `outage` (503), `errorRate` (500 unprocessed),
 * `hold` (processed, answered only once the hold is switched off), `failOperations` (503 for
 * the operations named, the others working).
 *
 * Admin API (never faulted): `POST /admin/faults` `{ outage?, latencyMs?, errorRate?, hold?,
 * failOperations? }`, `GET /admin/faults` (with `refusedCalls`, how many calls the faults
 * refused), `GET /admin/records`, `POST /admin/learners` (a `KnownLearner`),
 * `POST /admin/reset`, `GET /health`.
 */

export interface ParsSimulatorOptions {
  /** Default 4010; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How long after receipt a record is decided (Accepted or Rejected). Default one day. */
  decideAfterMs?: number;
  /** Learner ids no board knows, besides those starting with `000`. */
  unknownLearnerIds?: readonly string[];
  /** Learner ids whose records the board rejects when deciding, besides those from `999`. */
  rejectLaterIds?: readonly string[];
  /** Start with the configured activities registered (the `npm start` default). Default true. */
  registerActivities?: boolean;
  now?: () => number;
  /** A share in [0, 1) that decides which requests `errorRate` fails. */
  random?: () => number;
}

export interface RunningParsSimulator {
  /** The simulator's root (admin API). */
  url: string;
  /** PARS's web-service base, what the ledger's PARS_URL / BOARD_GATEWAY_URL names. */
  serviceUrl: string;
  port: number;
  close(): Promise<void>;
}

export const PARS_SIMULATOR_DEFAULTS = {
  port: 4010,
  host: '127.0.0.1',
  decideAfterMs: 86_400_000,
} as const;

const MAX_BODY_BYTES = 64 * 1024;
const MAX_LATENCY_MS = 10 * 60 * 1000;
const REJECT_LATER_PREFIX = '999';

type Answer = { status: number; body?: string; contentType?: string };

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(reason);
  }
}

const xmlAnswer = (root: string, fields: XmlFields, status = 200): Answer => ({
  status,
  body: toXml(root, fields),
  contentType: 'application/xml; charset=utf-8',
});

const jsonAnswer = (status: number, body: unknown): Answer => ({
  status,
  body: JSON.stringify(body),
  contentType: 'application/json',
});

/** Reads the options from the environment (see `main.ts`). */
export function parsSimulatorOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): ParsSimulatorOptions {
  const integer = (name: string, fallback: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    if (!/^\d+$/.test(text)) throw new RangeError(`${name} must be a whole number, got "${text}"`);
    return Number.parseInt(text, 10);
  };
  const list = (name: string): string[] =>
    (env[name] ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
  return {
    port: integer('PARS_SIMULATOR_PORT', PARS_SIMULATOR_DEFAULTS.port),
    host: env['PARS_SIMULATOR_HOST'] || PARS_SIMULATOR_DEFAULTS.host,
    decideAfterMs: integer('PARS_DECIDE_AFTER_MS', PARS_SIMULATOR_DEFAULTS.decideAfterMs),
    unknownLearnerIds: list('PARS_UNKNOWN_LEARNER_IDS'),
    rejectLaterIds: list('PARS_REJECT_LATER_IDS'),
    registerActivities: env['PARS_REGISTER_ACTIVITIES'] !== 'false',
  };
}

export async function startParsSimulator(
  options: ParsSimulatorOptions = {},
): Promise<RunningParsSimulator> {
  const host = options.host ?? PARS_SIMULATOR_DEFAULTS.host;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const decideAfterMs = options.decideAfterMs ?? PARS_SIMULATOR_DEFAULTS.decideAfterMs;
  if (!Number.isFinite(decideAfterMs) || decideAfterMs < 0) {
    throw new RangeError(`decideAfterMs must be zero or more, got ${decideAfterMs}`);
  }
  const records = new ParsRecords(decideAfterMs, now);
  const registerConfigured = (): void => {
    if (options.registerActivities === false) return;
    for (const activity of parsActivities()) {
      records.activities.set(activity.parsActivityId, activityView(activity));
    }
  };
  registerConfigured();
  const directory: LearnerDirectory = {
    known: new Map(),
    unknownIds: new Set(options.unknownLearnerIds ?? []),
    rejectLaterIds: new Set(options.rejectLaterIds ?? []),
  };
  let faults: Faults = { ...NO_FAULTS };
  /** The answers waiting for the hold to be switched off. */
  let held: (() => void)[] = [];
  const setFaults = (next: Faults): void => {
    faults = next;
    if (!faults.hold) {
      for (const release of held.splice(0)) release();
    }
  };
  /** Web-service calls the faults refused, unprocessed (GET /admin/faults shows the count). */
  let refusedCalls = 0;
  const timers = new Set<NodeJS.Timeout>();
  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  const today = (): string => calendarDate(new Date(now()), PARS_TIME_ZONE);

  const operations: Record<ParsOperation, (request: XmlElement) => Answer> = {
    SaveActivity: (request) => {
      const element = childNamed(request, 'Activity');
      const activity = element === undefined ? undefined : readActivity(element);
      if (activity === undefined) {
        return xmlAnswer('SaveActivityResponse', {
          Status: 'Rejected',
          Errors: errorsXml([
            { code: 'INVALID_FIELD', message: 'Activity.ActivityId is required' },
          ]),
        });
      }
      records.activities.set(activity.activityId, activity);
      return xmlAnswer('SaveActivityResponse', {
        Status: 'Saved',
        ActivityId: activity.activityId,
      });
    },
    GetActivity: (request) => {
      const activity = records.activities.get(childText(request, 'ActivityId') ?? '');
      if (activity === undefined) return xmlAnswer('GetActivityResponse', { Status: 'NotFound' });
      return xmlAnswer('GetActivityResponse', {
        Status: 'Found',
        Activity: {
          ActivityId: activity.activityId,
          Title: activity.title,
          ActivityType: activity.activityType,
          CreditType: activity.creditType,
          MaxCredits: activity.maxCredits,
          StartDate: activity.startDate,
          EndDate: activity.endDate,
          MOC: {
            Board: activity.moc.map((entry) => {
              const [BoardId = '', MOCType = ''] = entry.split(':');
              return { BoardId, MOCType };
            }),
          },
        },
      });
    },
    SaveLearnerActivity: (request) => {
      const read = readCompletion(request);
      const rejected = (errors: ParsError[]): Answer =>
        xmlAnswer('SaveLearnerActivityResponse', { Status: 'Rejected', Errors: errorsXml(errors) });
      if (!read.ok) return rejected(read.errors);
      const completion = read.value;
      records.received(completion.providerRecordId);
      const existing = records.find(completion.providerRecordId);
      if (existing !== undefined) {
        const status = records.statusOf(existing);
        if (status === 'Pending' || status === 'Accepted') {
          return xmlAnswer('SaveLearnerActivityResponse', {
            Status: 'Received',
            LearnerRecordId: existing.boardRecordId,
          });
        }
      }
      const activity = records.activities.get(completion.activityId);
      if (activity === undefined) {
        return rejected([
          {
            code: 'UNKNOWN_ACTIVITY',
            message: `activity ${completion.activityId} is not registered in PARS`,
          },
        ]);
      }
      if (
        completion.completionDate < activity.startDate ||
        completion.completionDate > activity.endDate
      ) {
        return rejected([
          {
            code: 'OUTSIDE_ACTIVITY_DATES',
            message: `the activity runs from ${activity.startDate} to ${activity.endDate}; CompletionDate is outside`,
          },
        ]);
      }
      const windowError = reportingWindowError(completion.completionDate, today());
      if (windowError !== undefined) return rejected([windowError]);
      const mismatch = learnerMismatch(completion, directory);
      if (mismatch !== undefined) return rejected([mismatch]);
      if (records.duplicateOf(completion) !== undefined) {
        return rejected([
          {
            code: 'DUPLICATE',
            message: 'this completion is already reported under another record id',
          },
        ]);
      }
      const rejectLater = matchIds(completion).some(
        (id) => id.startsWith(REJECT_LATER_PREFIX) || directory.rejectLaterIds.has(id),
      );
      const record = records.save(
        completion,
        rejectLater
          ? {
              code: 'BOARD_REJECTED',
              message: `${completion.boardId} did not accept the record: the learner is not enrolled in its programme`,
            }
          : undefined,
      );
      return xmlAnswer('SaveLearnerActivityResponse', {
        Status: 'Received',
        LearnerRecordId: record.boardRecordId,
      });
    },
    GetLearnerStatus: (request) => {
      const record = records.find(childText(request, 'ProviderLearnerRecordId') ?? '');
      if (record === undefined)
        return xmlAnswer('GetLearnerStatusResponse', { Status: 'NotFound' });
      const status = records.statusOf(record);
      const rejection = status === 'Rejected' ? records.rejectionOf(record) : undefined;
      return xmlAnswer('GetLearnerStatusResponse', {
        LearnerRecordId: record.boardRecordId,
        Status: status,
        StatusDate:
          status === 'Accepted' || status === 'Rejected' ? records.decidedAt(record) : undefined,
        Errors: rejection === undefined ? undefined : errorsXml([rejection]),
      });
    },
    DeleteLearnerActivity: (request) => {
      const record = records.find(childText(request, 'ProviderLearnerRecordId') ?? '');
      if (record === undefined)
        return xmlAnswer('DeleteLearnerActivityResponse', { Status: 'NotFound' });
      records.delete(record);
      return xmlAnswer('DeleteLearnerActivityResponse', {
        Status: 'Deleted',
        LearnerRecordId: record.boardRecordId,
      });
    },
    LearnerMatchRequest: (request) => {
      const read = readLearnerMatch(request);
      const mismatch = read.ok ? learnerMismatch(read.value, directory) : read.errors[0];
      return xmlAnswer('LearnerMatchResponse', {
        MatchResult: mismatch === undefined ? 'Matched' : 'NotMatched',
        Errors: mismatch === undefined ? undefined : errorsXml([mismatch]),
      });
    },
  };

  const serviceRoute = async (
    operation: string,
    method: string,
    req: IncomingMessage,
  ): Promise<Answer> => {
    // The body is read before the latency: a slow PARS has the request even when the caller
    // gives up waiting, which is what makes idempotent retries matter.
    const text = await readBody(req);
    if (faults.latencyMs > 0) await delay(faults.latencyMs);
    if (faults.outage) {
      refusedCalls += 1;
      throw new HttpProblem(503, 'PARS is down for maintenance (simulated outage)');
    }
    if (faults.errorRate > 0 && random() < faults.errorRate) {
      refusedCalls += 1;
      throw new HttpProblem(500, 'PARS failed to process the request (simulated)');
    }
    if (faults.failOperations.includes(operation)) {
      refusedCalls += 1;
      throw new HttpProblem(503, `PARS ${operation} is down for maintenance (simulated outage)`);
    }
    if (!(PARS_OPERATIONS as readonly string[]).includes(operation)) {
      throw new HttpProblem(404, `no operation ${operation}`);
    }
    if (method !== 'POST') throw new HttpProblem(405, `${method} is not allowed here`);
    let document: XmlElement;
    try {
      document = parseXml(text);
    } catch (error) {
      if (error instanceof XmlSyntaxError)
        throw new HttpProblem(400, `the body is not XML PARS reads: ${error.message}`);
      throw error;
    }
    const expected = operation === 'LearnerMatchRequest' ? operation : `${operation}Request`;
    if (document.name !== expected) {
      throw new HttpProblem(
        400,
        `the document is <${document.name}>, ${operation} takes <${expected}>`,
      );
    }
    if (childText(document, 'ProviderId') === undefined)
      throw new HttpProblem(400, 'ProviderId is required');
    const answer = operations[operation as ParsOperation](document);
    if (faults.hold) await new Promise<void>((release) => held.push(release));
    return answer;
  };

  const adminRoute = async (
    method: string,
    path: string,
    req: IncomingMessage,
  ): Promise<Answer> => {
    switch (`${method} ${path}`) {
      case 'GET /admin/faults':
        return jsonAnswer(200, { ...faults, refusedCalls });
      case 'POST /admin/faults':
        setFaults(mergeFaults(faults, parseJson(await readBody(req))));
        return jsonAnswer(200, faults);
      case 'GET /admin/records':
        return jsonAnswer(200, { records: records.list() });
      case 'POST /admin/learners': {
        const learner = knownLearner(parseJson(await readBody(req)));
        directory.known.set(directoryKey(learner.boardId, learner.id), learner);
        return { status: 204 };
      }
      case 'POST /admin/reset':
        records.reset();
        registerConfigured();
        directory.known.clear();
        setFaults({ ...NO_FAULTS });
        return { status: 204 };
      default:
        throw new HttpProblem(404, 'no such route');
    }
  };

  const route = async (req: IncomingMessage): Promise<Answer> => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    const segments = path.split('/').filter((s) => s !== '');
    if (segments[0] === 'pars' && segments[1] === 'ws' && segments.length === 3) {
      return serviceRoute(decodeURIComponent(segments[2] ?? ''), method, req);
    }
    if (segments[0] === 'admin') return adminRoute(method, path, req);
    if (method === 'GET' && path === '/health') return jsonAnswer(200, { status: 'ok' });
    throw new HttpProblem(404, 'no such route');
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    route(req)
      .catch((error: unknown): Answer => {
        const [status, message] =
          error instanceof HttpProblem
            ? [error.status, error.message]
            : error instanceof URIError
              ? [400, 'malformed path']
              : [500, 'simulator error'];
        return (req.url ?? '').startsWith('/pars/')
          ? xmlAnswer('Fault', { Errors: errorsXml([{ code: `HTTP_${status}`, message }]) }, status)
          : jsonAnswer(status, { reason: message });
      })
      .then((answer) => {
        if (res.destroyed) return;
        if (answer.body === undefined) res.writeHead(answer.status).end();
        else
          res
            .writeHead(answer.status, { 'Content-Type': answer.contentType ?? 'text/plain' })
            .end(answer.body);
      })
      .catch(() => res.destroy());
  });

  const port = options.port ?? PARS_SIMULATOR_DEFAULTS.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${bound}`;
  return {
    url,
    serviceUrl: `${url}/pars/ws`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        held = [];
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function knownLearner(body: unknown): KnownLearner {
  if (typeof body !== 'object' || body === null)
    throw new HttpProblem(400, 'the body must be a JSON object');
  const input = body as Record<string, unknown>;
  const problems: string[] = [];
  const text = (name: string): string => {
    const value = input[name];
    if (typeof value === 'string' && value.trim() !== '') return value;
    problems.push(`${name} must be a non-empty string`);
    return '';
  };
  const whole = (name: string): number => {
    const value = input[name];
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    problems.push(`${name} must be a whole number`);
    return 0;
  };
  const learner: KnownLearner = {
    boardId: text('boardId'),
    id: text('id'),
    firstName: text('firstName'),
    lastName: text('lastName'),
    birthMonth: whole('birthMonth'),
    birthDay: whole('birthDay'),
  };
  if (problems.length > 0) throw new HttpProblem(400, problems.join('; '));
  return learner;
}

function mergeFaults(current: Faults, body: unknown): Faults {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpProblem(400, 'the body must be a JSON object');
  }
  const { outage, latencyMs, errorRate, hold, failOperations } = body as Record<string, unknown>;
  const next = { ...current };
  const problems: string[] = [];
  if (outage !== undefined) {
    if (typeof outage === 'boolean') next.outage = outage;
    else problems.push('outage must be true or false');
  }
  if (latencyMs !== undefined) {
    if (
      typeof latencyMs === 'number' &&
      Number.isInteger(latencyMs) &&
      latencyMs >= 0 &&
      latencyMs <= MAX_LATENCY_MS
    ) {
      next.latencyMs = latencyMs;
    } else {
      problems.push(`latencyMs must be a whole number of milliseconds from 0 to ${MAX_LATENCY_MS}`);
    }
  }
  if (errorRate !== undefined) {
    if (typeof errorRate === 'number' && errorRate >= 0 && errorRate <= 1)
      next.errorRate = errorRate;
    else problems.push('errorRate must be a number from 0 to 1');
  }
  if (hold !== undefined) {
    if (typeof hold === 'boolean') next.hold = hold;
    else problems.push('hold must be true or false');
  }
  if (failOperations !== undefined) {
    if (
      Array.isArray(failOperations) &&
      failOperations.every(
        (op) => typeof op === 'string' && (PARS_OPERATIONS as readonly string[]).includes(op),
      )
    )
      next.failOperations = [...(failOperations as string[])];
    else
      problems.push(
        `failOperations must be a list of operations among ${PARS_OPERATIONS.join(', ')}`,
      );
  }
  if (problems.length > 0) throw new HttpProblem(400, problems.join('; '));
  return next;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpProblem(400, 'the body is not valid JSON');
  }
}

/** The request's body as text; 413 when too large. */
async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpProblem(413, `the body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

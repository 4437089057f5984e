import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findBoard } from '@ledger/domain';
import { BoardRecords, NO_FAULTS, type Faults } from './board-records';
import { checkSubmission, parseSubmission, type LearnerDirectory } from './submission-check';

/**
 * The board simulator: one HTTP server playing every board of the R10 catalogue behind
 * ACCME-style direct credit reporting, for development and tests. Records are kept in memory.
 *
 * Board API
 * - `POST /boards/:board/submissions` with a `BoardSubmissionRequest` body:
 *   - 404 `{ reason }`: the board is not in the catalogue (it takes no direct reporting);
 *   - 400 `{ reason }`: a malformed body, a body naming another board, or an
 *     `Idempotency-Key` header other than the body's `submissionId`;
 *   - 200 `{ boardRecordId, status: 'accepted' }`: a submission id the board already
 *     accepted (idempotent: the same record, nothing new recorded, the arrival counted);
 *   - 422 `{ reason }`: the board takes no credit for that activity on that date; a field the
 *     catalogue says the board needs is missing or invalid (names, birth month and day, the
 *     learner's board id in the board's format, for state boards a license of that state or
 *     an NPI); or an unknown learner: the id the board matches by (board id, state license
 *     or NPI) starts with `000` or is listed in `unknownLearnerIds`;
 *   - 201 `{ boardRecordId, status: 'accepted' }`: accepted.
 * - `GET /boards/:board/submissions/:submissionId` → 200 `{ found, confirmed, confirmedAt? }`:
 *   a record is confirmed `confirmAfterMs` after acceptance (R9: about a day).
 * Faults (board routes only): `latencyMs` delays each answer; `outage` answers 503;
 * `errorRate` answers that share of requests 500 without processing them.
 *
 * Admin API (never faulted): `POST /admin/faults` `{ outage?, latencyMs?, errorRate? }`
 * (merged into the current faults, which it answers), `GET /admin/faults`,
 * `GET /admin/records` → `{ records }`, `POST /admin/reset` (records, counts and faults),
 * `GET /health`.
 */

export interface BoardSimulatorOptions {
  /** Default 4010; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How long after acceptance a board's records show a submission. Default one day. */
  confirmAfterMs?: number;
  /** Learner ids (board id, state license or NPI) no board knows, besides those from `000`. */
  unknownLearnerIds?: readonly string[];
  now?: () => number;
  /** A share in [0, 1) that decides which requests `errorRate` fails. */
  random?: () => number;
}

export interface RunningBoardSimulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const BOARD_SIMULATOR_DEFAULTS = {
  port: 4010,
  host: '127.0.0.1',
  confirmAfterMs: 86_400_000,
} as const;

const MAX_BODY_BYTES = 64 * 1024;
const MAX_LATENCY_MS = 10 * 60 * 1000;

type Answer = { status: number; body?: unknown };

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(reason);
  }
}

/** Reads the options from the environment (see `main.ts`). */
export function boardSimulatorOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): BoardSimulatorOptions {
  const integer = (name: string, fallback: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    if (!/^\d+$/.test(text)) throw new RangeError(`${name} must be a whole number, got "${text}"`);
    return Number.parseInt(text, 10);
  };
  return {
    port: integer('BOARD_SIMULATOR_PORT', BOARD_SIMULATOR_DEFAULTS.port),
    host: env['BOARD_SIMULATOR_HOST'] || BOARD_SIMULATOR_DEFAULTS.host,
    confirmAfterMs: integer('BOARD_CONFIRM_AFTER_MS', BOARD_SIMULATOR_DEFAULTS.confirmAfterMs),
    unknownLearnerIds: (env['BOARD_UNKNOWN_LEARNER_IDS'] ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== ''),
  };
}

export async function startBoardSimulator(
  options: BoardSimulatorOptions = {},
): Promise<RunningBoardSimulator> {
  const host = options.host ?? BOARD_SIMULATOR_DEFAULTS.host;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const confirmAfterMs = options.confirmAfterMs ?? BOARD_SIMULATOR_DEFAULTS.confirmAfterMs;
  if (!Number.isFinite(confirmAfterMs) || confirmAfterMs < 0) {
    throw new RangeError(`confirmAfterMs must be zero or more, got ${confirmAfterMs}`);
  }
  const records = new BoardRecords(confirmAfterMs, now);
  const directory: LearnerDirectory = {
    unknownLearnerIds: new Set(options.unknownLearnerIds ?? []),
  };
  let faults: Faults = { ...NO_FAULTS };
  const timers = new Set<NodeJS.Timeout>();
  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const boardRoute = async (
    method: string,
    segments: string[],
    req: IncomingMessage,
  ): Promise<Answer> => {
    // The body is read before the latency: a slow board has the request even when the caller
    // gives up waiting, which is what makes idempotent retries matter.
    const body = method === 'POST' ? await readJson(req) : undefined;
    if (faults.latencyMs > 0) await delay(faults.latencyMs);
    if (faults.outage) {
      return {
        status: 503,
        body: { reason: 'the board is down for maintenance (simulated outage)' },
      };
    }
    if (faults.errorRate > 0 && random() < faults.errorRate) {
      return {
        status: 500,
        body: { reason: 'the board failed to process the request (simulated)' },
      };
    }
    const [boardCode = '', collection, submissionId, ...rest] = segments;
    if (collection !== 'submissions' || rest.length > 0)
      throw new HttpProblem(404, 'no such route');
    const board = findBoard(boardCode);
    if (board === undefined) {
      throw new HttpProblem(404, `${boardCode} does not take direct credit reporting`);
    }
    if (submissionId !== undefined) {
      if (method !== 'GET') throw new HttpProblem(405, `${method} is not allowed here`);
      const record = records.find(board.code, submissionId);
      if (record === undefined) return { status: 200, body: { found: false, confirmed: false } };
      const confirmedAt = records.confirmedAt(record);
      return {
        status: 200,
        body:
          confirmedAt === undefined
            ? { found: true, confirmed: false }
            : { found: true, confirmed: true, confirmedAt },
      };
    }
    if (method !== 'POST') throw new HttpProblem(405, `${method} is not allowed here`);
    const parsed = parseSubmission(body);
    if (!parsed.ok) throw new HttpProblem(400, parsed.reason);
    const submission = parsed.value;
    if (submission.board !== board.code) {
      throw new HttpProblem(
        400,
        `the body names board ${submission.board}, the path ${board.code}`,
      );
    }
    const key = req.headers['idempotency-key'];
    if (key !== undefined && key !== submission.submissionId) {
      throw new HttpProblem(400, 'the Idempotency-Key header must be the submissionId');
    }
    records.received(board.code, submission.submissionId);
    const existing = records.find(board.code, submission.submissionId);
    if (existing !== undefined) {
      return { status: 200, body: { boardRecordId: existing.boardRecordId, status: 'accepted' } };
    }
    const refusal = checkSubmission(board, submission, directory);
    if (refusal !== undefined) throw new HttpProblem(422, refusal);
    const record = records.accept({
      board: board.code,
      submissionId: submission.submissionId,
      attempt: submission.attempt,
      activity: submission.activity,
      credits: submission.credits,
      completedAt: submission.completedAt,
      lastName: submission.learner.lastName ?? '',
    });
    return { status: 201, body: { boardRecordId: record.boardRecordId, status: 'accepted' } };
  };

  const adminRoute = async (
    method: string,
    path: string,
    req: IncomingMessage,
  ): Promise<Answer> => {
    switch (`${method} ${path}`) {
      case 'GET /admin/faults':
        return { status: 200, body: faults };
      case 'POST /admin/faults':
        faults = mergeFaults(faults, await readJson(req));
        return { status: 200, body: faults };
      case 'GET /admin/records':
        return { status: 200, body: { records: records.list() } };
      case 'POST /admin/reset':
        records.reset();
        faults = { ...NO_FAULTS };
        return { status: 204 };
      default:
        throw new HttpProblem(404, 'no such route');
    }
  };

  const route = async (req: IncomingMessage): Promise<Answer> => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    const segments = path
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    if (segments[0] === 'boards') return boardRoute(method, segments.slice(1), req);
    if (segments[0] === 'admin') return adminRoute(method, path, req);
    if (method === 'GET' && path === '/health') return { status: 200, body: { status: 'ok' } };
    throw new HttpProblem(404, 'no such route');
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    route(req)
      .catch((error: unknown): Answer => {
        if (error instanceof HttpProblem)
          return { status: error.status, body: { reason: error.message } };
        if (error instanceof URIError) return { status: 400, body: { reason: 'malformed path' } };
        return { status: 500, body: { reason: 'simulator error' } };
      })
      .then((answer) => {
        if (res.destroyed) return;
        if (answer.body === undefined) {
          res.writeHead(answer.status).end();
        } else {
          res
            .writeHead(answer.status, { 'Content-Type': 'application/json' })
            .end(JSON.stringify(answer.body));
        }
      })
      .catch(() => res.destroy());
  });

  const port = options.port ?? BOARD_SIMULATOR_DEFAULTS.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function mergeFaults(current: Faults, body: unknown): Faults {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpProblem(400, 'the body must be a JSON object');
  }
  const input = body as Record<string, unknown>;
  const next = { ...current };
  const problems: string[] = [];
  const { outage, latencyMs, errorRate } = input;
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
  if (problems.length > 0) throw new HttpProblem(400, problems.join('; '));
  return next;
}

/** The request's JSON body (undefined when empty); 400 when unreadable, 413 when too large. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpProblem(413, `the body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpProblem(400, 'the body is not valid JSON');
  }
}

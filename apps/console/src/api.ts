import { createLedgerClient } from '@ledger/client';

/**
 * Every call the console makes to the ledger's API, in one place, through the typed client. The
 * API key goes in the Authorization header only: never in a URL, never in a log.
 */

// The wire shapes the API answers (libs/read-models' views, libs/audit's records), restated
// here: the console is a browser bundle that imports nothing of the server.
export type Role = 'service' | 'compliance' | 'auditor' | 'admin';

/** An amount as the API gives it: credits as a decimal string, and its exact twelfths. */
export interface Amount {
  credits: string;
  twelfths: number;
}

export interface ActivityBalance {
  earned: Amount;
  claimed: Amount;
  unclaimed: Amount;
  expired: Amount;
}

export interface Credits {
  learnerId: string;
  position: string;
  asOf: string;
  activities: Record<string, ActivityBalance>;
  mocPoints: { total: Amount; byBoard: Record<string, Amount> };
  nonUsEquivalents?: Record<string, Amount>;
  replay?: { mode: string; events: number; streams: number };
}

export interface Deadline {
  activity: string;
  earnedYear: number;
  claimDeadline: string;
  unclaimed: Amount;
  expired: boolean;
}

export interface Submission {
  submissionId: string;
  board: string;
  boardName: string;
  credits: Amount;
  status: string;
  attempt: number;
  reason: string | null;
  retryable: boolean | null;
  requestedAt: string | null;
  acceptedAt: string | null;
  confirmedAt: string | null;
  failedAt: string | null;
  needsFollowUp: boolean;
  atRisk: { code: string; message: string; deadline: string }[];
}

export interface Claim {
  learnerId?: string;
  claimId: string;
  activity: string;
  claimedAt: string;
  claimed: Amount;
  tag: string;
  boards: string[];
  certificate: string;
  clinicalRole: string;
  breakdown: { earnedYear: number; claimed: Amount; claimDeadline: string }[];
  submissions: Submission[];
  certificateUrl: string;
}

export interface Page<T> {
  position: string;
  items: T[];
  nextCursor: string | null;
}

export interface ExpiringItem {
  learnerId: string;
  activity: string;
  earnedYear: number;
  claimDeadline: string;
  unclaimed: Amount;
}

// The wire shape of an event as the audit endpoints answer it (libs/audit's AuditEventRecord),
// restated here: the console is a browser bundle that imports nothing of the server.
export interface LedgerEvent {
  position: string;
  streamName: string;
  revision: string;
  id: string;
  type: string;
  schemaVersion: number;
  recordedAt: string;
  metadata: Record<string, unknown>;
  data: Record<string, unknown>;
  hash: string;
}

export interface StreamPage {
  streamName: string;
  revision: string;
  events: LedgerEvent[];
  nextFromRevision?: string | null;
}

export interface LogPage {
  after: string;
  limit: number;
  events: LedgerEvent[];
  nextAfter: string | null;
}

export interface Integrity {
  ok: boolean;
  verification: {
    ok: boolean;
    streamsChecked: number;
    eventsChecked: number;
    breaks: Record<string, unknown>[];
  };
  log: { upToPosition: string; events: number; digest: string; algorithm: string };
}

export interface Projection {
  name: string;
  position: string;
  eventsApplied: string;
  failedEvent: string | null;
  failure: string | null;
  quarantinedEvents: number;
  rebuildRequestedAt: string | null;
  rebuildPosition: string | null;
  updatedAt: string;
}

export interface RetryAnswer {
  submissionId: string;
  attempt: number;
  status: string;
  reason: string | null;
}

/** A refusal or failure of the API, with the message it gave. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Api {
  role(): Promise<Role>;
  credits(learnerId: string): Promise<Credits>;
  deadlines(learnerId: string): Promise<{ deadlines: Deadline[] }>;
  claims(learnerId: string): Promise<{ claims: Claim[] }>;
  certificate(learnerId: string, claimId: string): Promise<Blob>;
  expiring(query: Record<string, string>): Promise<Page<ExpiringItem>>;
  submissions(query: Record<string, string>): Promise<Page<Claim>>;
  stream(streamName: string, fromRevision?: string): Promise<StreamPage>;
  log(after: string, limit: number): Promise<LogPage>;
  creditsAsOf(learnerId: string, asOf: string): Promise<Credits>;
  integrity(): Promise<Integrity>;
  exportLog(): Promise<Blob>;
  projections(): Promise<{ projections: Projection[] }>;
  rebuild(name: string): Promise<void>;
  retry(submissionId: string): Promise<RetryAnswer>;
}

/** What a call of the typed client answers: its data, or the API's error and the response. */
interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The API for one key, through the ledger's typed client (libs/client). */
export function apiFor(key: string): Api {
  const ledger = createLedgerClient({ baseUrl: location.origin, apiKey: key });
  async function answer<T>(call: () => Promise<Answer>): Promise<T> {
    let result: Answer;
    try {
      result = await call();
    } catch {
      throw new ApiProblem(0, 'The service did not answer: check that it is running, then retry.');
    }
    if (result.response.ok) return result.data as T;
    throw new ApiProblem(result.response.status, problemText(result.response.status, result.error));
  }
  const query = (q: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries(q).filter(([, value]) => value));
  const blob = { parseAs: 'blob' } as const;

  return {
    // The console's own route (beside /console), not part of the versioned API.
    role: async () => {
      const response = await fetch('/console/session', {
        headers: { Authorization: `Bearer ${key}` },
        cache: 'no-store',
      }).catch(() => {
        throw new ApiProblem(
          0,
          'The service did not answer: check that it is running, then retry.',
        );
      });
      const body = (await response.json().catch(() => ({}))) as { role?: Role };
      if (!response.ok || !body.role)
        throw new ApiProblem(response.status, problemText(response.status, body));
      return body.role;
    },
    credits: (learnerId) =>
      answer(() =>
        ledger.GET('/v1/learners/{learnerId}/credits', { params: { path: { learnerId } } }),
      ),
    deadlines: (learnerId) =>
      answer(() =>
        ledger.GET('/v1/learners/{learnerId}/deadlines', { params: { path: { learnerId } } }),
      ),
    claims: (learnerId) =>
      answer(() =>
        ledger.GET('/v1/learners/{learnerId}/claims', { params: { path: { learnerId } } }),
      ),
    certificate: (learnerId, claimId) =>
      answer(() =>
        ledger.GET('/v1/learners/{learnerId}/claims/{claimId}/certificate.pdf', {
          params: { path: { learnerId, claimId } },
          ...blob,
        }),
      ),
    expiring: (q) =>
      answer(() => ledger.GET('/v1/reports/expiring', { params: { query: query(q) } })),
    submissions: (q) =>
      answer(() => ledger.GET('/v1/reports/submissions', { params: { query: query(q) } })),
    stream: (streamName, fromRevision) =>
      answer(() =>
        ledger.GET('/v1/audit/streams/{streamName}', {
          params: { path: { streamName }, query: query({ fromRevision }) },
        }),
      ),
    log: (after, limit) =>
      answer(() => ledger.GET('/v1/audit/events', { params: { query: { after, limit } } })),
    creditsAsOf: (learnerId, asOf) =>
      answer(() =>
        ledger.GET('/v1/audit/learners/{learnerId}/credits', {
          params: { path: { learnerId }, query: { asOf } },
        }),
      ),
    integrity: () => answer(() => ledger.GET('/v1/audit/integrity')),
    exportLog: () => answer(() => ledger.GET('/v1/audit/export', blob)),
    projections: () => answer(() => ledger.GET('/v1/admin/projections')),
    rebuild: async (name) => {
      await answer(() =>
        ledger.POST('/v1/admin/projections/{name}/rebuild', { params: { path: { name } } }),
      );
    },
    retry: (submissionId) =>
      answer(() =>
        ledger.POST('/v1/board-submissions/{submissionId}/retry', {
          params: { path: { submissionId } },
        }),
      ),
  };
}

function problemText(status: number, error: unknown): string {
  const fallback: Record<number, string> = {
    401: 'The API key was not recognised: sign in again with a valid key.',
    403: 'Your role may not do this.',
    404: 'Not found.',
    429: 'Too many requests: wait a moment, then retry.',
    503: 'The service is not ready (its read models are catching up): retry in a moment.',
  };
  const message = (error as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string' && message) return message;
  return fallback[status] ?? `The service answered ${status}.`;
}

/**
 * Every call the console makes to the ledger's API, in one place. The API key goes in the
 * Authorization header only: never in a URL, never in a log.
 */

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
  certificate(certificateUrl: string): Promise<Blob>;
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

const path = (segment: string): string => encodeURIComponent(segment);

const queryString = (query: Record<string, string | undefined>): string => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
};

/** The API for one key. */
export function apiFor(key: string): Api {
  async function call(url: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, {
        ...init,
        headers: { ...init.headers, Authorization: `Bearer ${key}`, Accept: '*/*' },
        cache: 'no-store',
      });
    } catch {
      throw new ApiProblem(0, 'The service did not answer: check that it is running, then retry.');
    }
    if (response.ok) return response;
    throw new ApiProblem(response.status, await problemText(response));
  }
  const json = async <T>(url: string, init?: RequestInit): Promise<T> =>
    (await (await call(url, init)).json()) as T;
  const blob = async (url: string): Promise<Blob> => (await call(url)).blob();

  return {
    role: async () => (await json<{ role: Role }>('/console/session')).role,
    credits: (id) => json(`/v1/learners/${path(id)}/credits`),
    deadlines: (id) => json(`/v1/learners/${path(id)}/deadlines`),
    claims: (id) => json(`/v1/learners/${path(id)}/claims`),
    certificate: (url) => blob(url),
    expiring: (query) => json(`/v1/reports/expiring${queryString(query)}`),
    submissions: (query) => json(`/v1/reports/submissions${queryString(query)}`),
    stream: (name, fromRevision) =>
      json(`/v1/audit/streams/${path(name)}${queryString({ fromRevision })}`),
    log: (after, limit) => json(`/v1/audit/events${queryString({ after, limit: String(limit) })}`),
    creditsAsOf: (id, asOf) =>
      json(`/v1/audit/learners/${path(id)}/credits${queryString({ asOf })}`),
    integrity: () => json('/v1/audit/integrity'),
    exportLog: () => blob('/v1/audit/export'),
    projections: () => json('/v1/admin/projections'),
    rebuild: async (name) => {
      await call(`/v1/admin/projections/${path(name)}/rebuild`, { method: 'POST' });
    },
    retry: (id) => json(`/v1/board-submissions/${path(id)}/retry`, { method: 'POST' }),
  };
}

async function problemText(response: Response): Promise<string> {
  const fallback: Record<number, string> = {
    401: 'The API key was not recognised: sign in again with a valid key.',
    403: 'Your role may not do this.',
    404: 'Not found.',
    429: 'Too many requests: wait a moment, then retry.',
    503: 'The service is not ready (its read models are catching up): retry in a moment.',
  };
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) return body.message;
  } catch {
    // Not JSON: the status says enough.
  }
  return fallback[response.status] ?? `The service answered ${response.status}.`;
}

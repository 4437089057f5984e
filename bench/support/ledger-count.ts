/**
 * Counting what a load of commands left in the ledger: each command is sent until it is
 * acknowledged (retried with the same Idempotency-Key after an error or a timeout, as an
 * internal service would), then the log is read back and compared with what was acknowledged,
 * and the read models with the fold of the log. Shared by the fault test (test/fault) and
 * bench/scaling; each problem found is a line of text, so that a test can assert there are
 * none and a benchmark can print them.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  amountView,
  ACTIVITIES,
  creditTotals,
  foldLearner,
  type LearnerEvent,
} from '@ledger/domain';
import type { PostgresEventStore } from '@ledger/event-store';
import { learnerEventCodec } from '@ledger/ledger';

export type CommandKind = 'profile' | 'consent' | 'research' | 'answer' | 'claim';

export interface SentCommand {
  learnerId: string;
  kind: CommandKind;
  /** The Idempotency-Key, the same on every attempt. */
  key: string;
  body: Record<string, unknown>;
  /** The answer that was not a fault (not 5xx, 409 or 429), once there is one. */
  acknowledged?: { status: number; body: Record<string, unknown> };
  attempts: number;
}

const PATHS: Record<CommandKind, string> = {
  profile: 'profile',
  consent: 'consent',
  research: 'questions-researched',
  answer: 'answers',
  claim: 'claims',
};

/** A learner's profile as a service sends it: a nurse practitioner selects no board (R10). */
export function learnerProfile(n: number, boards: boolean) {
  return {
    clinicalRole: boards ? 'physician' : 'nurse_practitioner',
    firstName: 'Ada',
    // A person's name has no digits (R7): one letter tells the learners apart.
    lastName: `Quinn-${String.fromCharCode(97 + (n % 26))}`,
    birthMonth: 3,
    birthDay: 14,
    country: 'US',
    boards: boards ? [{ boardId: 'ABIM', learnerBoardId: String(100000 + n) }] : [],
    licenses: [{ state: 'CA', licenseNumber: `A${n}` }],
  };
}

/**
 * Sends one command until it gets an answer that is not a fault, or the deadline passes (it
 * is then not acknowledged). `onRetry` counts the attempts after the first.
 */
export async function sendCommand(
  apiUrl: string,
  serviceKey: string,
  command: SentCommand,
  deadline: number,
  onRetry: () => void = () => undefined,
): Promise<void> {
  const put = command.kind === 'profile' || command.kind === 'consent';
  const url = `${apiUrl}/v1/learners/${command.learnerId}/${PATHS[command.kind]}`;
  while (Date.now() < deadline) {
    command.attempts += 1;
    if (command.attempts > 1) onRetry();
    try {
      const res = await fetch(url, {
        method: put ? 'PUT' : 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${serviceKey}`,
          'idempotency-key': command.key,
        },
        body: JSON.stringify(command.body),
        signal: AbortSignal.timeout(3000),
      });
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status < 500 && res.status !== 409 && res.status !== 429) {
        command.acknowledged = { status: res.status, body };
        return;
      }
    } catch {
      // connection refused, reset or timed out: the same request again, same key
    }
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 300));
  }
}

/** Each learner's events, decoded, in stream order. */
export async function learnerLogs(
  store: PostgresEventStore,
  learnerIds: Iterable<string>,
): Promise<Map<string, LearnerEvent[]>> {
  const codec = learnerEventCodec();
  const eventsOf = new Map<string, LearnerEvent[]>();
  for (const learnerId of learnerIds) {
    const events: LearnerEvent[] = [];
    for (const recorded of await store.readStream(`learner-${learnerId}`)) {
      const e = await codec.decode(recorded);
      if (e) events.push(e);
    }
    eventsOf.set(learnerId, events);
  }
  return eventsOf;
}

const claimOf = (c: SentCommand): string | undefined =>
  (c.acknowledged?.body.claim as { claimId?: string } | undefined)?.claimId;

/**
 * The log against the acknowledged commands: every acknowledged research, answer and claim has
 * its event exactly once, no research or answer is recorded that no acknowledged command asked
 * for, and each learner's claims are exactly those acknowledged.
 */
export function logDiscrepancies(
  acknowledged: readonly SentCommand[],
  eventsOf: ReadonlyMap<string, readonly LearnerEvent[]>,
): string[] {
  const problems: string[] = [];
  for (const c of acknowledged) {
    const events = eventsOf.get(c.learnerId) ?? [];
    let found: number | undefined;
    let what = '';
    if (c.kind === 'research') {
      what = `research ${String(c.body.researchId)}`;
      found = events.filter(
        (e) => e.type === 'QuestionResearched' && e.data.researchId === c.body.researchId,
      ).length;
    } else if (c.kind === 'answer') {
      what = `answer to ${String(c.body.questionId)}`;
      found = events.filter(
        (e) => 'questionId' in e.data && e.data.questionId === c.body.questionId,
      ).length;
    } else if (c.kind === 'claim' && claimOf(c)) {
      what = `claim ${claimOf(c)}`;
      found = events.filter(
        (e) => e.type === 'CreditClaimed' && e.data.claimId === claimOf(c),
      ).length;
    }
    if (found !== undefined && found !== 1)
      problems.push(`${c.learnerId}: ${what} acknowledged, recorded ${found} times`);
  }
  const asked = new Set(
    acknowledged.map(
      (c) => `${c.learnerId}/${String(c.body.researchId ?? c.body.questionId ?? '')}`,
    ),
  );
  for (const [learnerId, events] of eventsOf) {
    for (const e of events) {
      if (e.type === 'QuestionResearched' && !asked.has(`${learnerId}/${e.data.researchId}`))
        problems.push(`${learnerId}: research ${e.data.researchId} recorded, never acknowledged`);
      if (
        (e.type === 'AnswerCorrect' || e.type === 'AnswerIncorrect') &&
        !asked.has(`${learnerId}/${e.data.questionId}`)
      )
        problems.push(`${learnerId}: answer to ${e.data.questionId} recorded, never acknowledged`);
    }
    const recordedClaims = events.flatMap((e) =>
      e.type === 'CreditClaimed' ? [e.data.claimId] : [],
    );
    const acknowledgedClaims = acknowledged
      .filter((c) => c.learnerId === learnerId && c.kind === 'claim')
      .flatMap((c) => (claimOf(c) ? [claimOf(c) as string] : []));
    if (!isDeepStrictEqual([...recordedClaims].sort(), [...acknowledgedClaims].sort()))
      problems.push(
        `${learnerId}: claims recorded [${recordedClaims.join(', ')}], acknowledged [${acknowledgedClaims.join(', ')}]`,
      );
  }
  return problems;
}

/**
 * A learner's credits as the API answers them (its read models) against the fold of the log:
 * earned, claimed, unclaimed and expired for each activity. No credit counted twice or missed.
 */
export async function creditDiscrepancies(
  apiUrl: string,
  serviceKey: string,
  learnerId: string,
  events: readonly LearnerEvent[],
  now: Date,
): Promise<string[]> {
  const expected = creditTotals(foldLearner([...events]), now, 'UTC');
  const res = await fetch(`${apiUrl}/v1/learners/${learnerId}/credits`, {
    headers: { authorization: `Bearer ${serviceKey}` },
  });
  if (!res.ok) return [`${learnerId}: GET credits answered ${res.status}`];
  const body = (await res.json()) as { activities: Record<string, unknown> };
  const problems: string[] = [];
  for (const activity of ACTIVITIES) {
    const t = expected[activity];
    const want = {
      earned: amountView(t.earned, activity),
      claimed: amountView(t.claimed, activity),
      unclaimed: amountView(t.unclaimed, activity),
      expired: amountView(t.expired, activity),
    };
    if (!sameJson(body.activities[activity], want))
      problems.push(
        `${learnerId}: ${activity} read ${JSON.stringify(body.activities[activity])}, log ${JSON.stringify(want)}`,
      );
  }
  return problems;
}

/**
 * Equal as JSON: an answer parsed by the global fetch is made in another realm than a literal
 * under jest's sandbox (the fault test), and a deep strict comparison sees their prototypes differ.
 */
function sameJson(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}

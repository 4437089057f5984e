import type { RecordedEvent } from '@ledger/event-store';
import { FIXTURE_NOW, LedgerFixture } from '../../../../test/support/ledger-fixture';
import type { DataSource } from 'typeorm';
import type { LedgerCloudEvent } from '../cloud-event';

/** The personal data every learner written here has: none of it may leave in a feed. */
export const PERSONAL = {
  firstName: 'Adaline',
  lastName: 'Quinnell',
  abimId: '731905',
  npi: '1234567893',
};

/** A ledger on a fresh database with the feed's tables, and a data source for its lease. */
export async function feedFixture(label: string): Promise<{
  ledger: LedgerFixture;
  dataSource: DataSource;
  close: () => Promise<void>;
}> {
  // The fixture's data source is a process's: its migrations made the feed's tables.
  const ledger = await LedgerFixture.create(label);
  return { ledger, dataSource: ledger.dataSource, close: () => ledger.close() };
}

/**
 * Writes one learner's history: a profile with personal data, three questions researched,
 * a claim (each a command through the deciders, as the API sends them).
 */
export async function writeLearner(ledger: LedgerFixture, learnerId: string): Promise<void> {
  const at = (minutes: number): Date => new Date(FIXTURE_NOW.getTime() - minutes * 60_000);
  await ledger.learner(learnerId, {
    type: 'UpdateProfile',
    data: {
      clinicalRole: 'physician',
      firstName: PERSONAL.firstName,
      lastName: PERSONAL.lastName,
      birthMonth: 3,
      birthDay: 14,
      country: 'US',
      boards: [{ boardId: 'ABIM', learnerBoardId: PERSONAL.abimId }],
      licenses: [{ state: 'CA', licenseNumber: 'A98765' }],
      npi: PERSONAL.npi,
      occurredAt: at(10),
    },
  });
  for (const r of ['r1', 'r2', 'r3'])
    await ledger.learner(learnerId, {
      type: 'RecordResearch',
      data: { researchId: `${learnerId}-${r}`, occurredAt: at(5) },
    });
  await ledger.learner(learnerId, {
    type: 'ClaimCredits',
    data: { claimId: `${learnerId}-claim`, activity: 'ipoc', occurredAt: at(1) },
  });
}

/**
 * Every event of the log, in order: up to the highest position stored when called. A short page
 * is not the end until that position is read: on a server shared with other databases (the
 * tests' DATABASE_URL with two workers), a transaction open there holds the readable horizon
 * until the store has seen it for a moment and found that it cannot append.
 */
export async function wholeLog(ledger: LedgerFixture): Promise<RecordedEvent[]> {
  const { rows } = await ledger.store.pool.query<{ head: string | null }>(
    'SELECT max(position)::text AS head FROM events',
  );
  const head = BigInt(rows[0]?.head ?? '0');
  const events: RecordedEvent[] = [];
  const deadline = Date.now() + 10_000;
  for (;;) {
    const after = events[events.length - 1]?.position ?? 0n;
    if (after >= head) return events;
    const page = await ledger.store.readAll({ after, maxCount: 1000 });
    events.push(...page);
    if (page.length < 1000 && (page[page.length - 1]?.position ?? after) < head) {
      if (Date.now() > deadline) {
        throw new Error(`the log's readable horizon stayed below position ${head} for 10 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/**
 * Checks what a consumer received against the log: after dedupe by CloudEvents id, every event
 * once, each stream in revision order (first receipts), no personal data in any body.
 */
export function expectEveryEventOnce(
  received: readonly { event: LedgerCloudEvent; body: string }[],
  log: readonly RecordedEvent[],
): void {
  const firsts = new Map<string, LedgerCloudEvent>();
  for (const r of received) if (!firsts.has(r.event.id)) firsts.set(r.event.id, r.event);
  const expected = log.map((e) => e.id).sort();
  if (JSON.stringify([...firsts.keys()].sort()) !== JSON.stringify(expected))
    throw new Error(
      `received ${firsts.size} distinct events, the log holds ${log.length}: missing ${log
        .filter((e) => !firsts.has(e.id))
        .map((e) => e.position)
        .join(', ')}`,
    );
  const lastRevision = new Map<string, bigint>();
  for (const event of firsts.values()) {
    const revision = BigInt(event.ledgerrevision);
    const before = lastRevision.get(event.subject) ?? -1n;
    if (revision !== before + 1n)
      throw new Error(`${event.subject}: revision ${revision} came after ${before}`);
    lastRevision.set(event.subject, revision);
  }
  for (const { body } of received)
    for (const value of Object.values(PERSONAL))
      if (standsIn(body, value))
        throw new Error(`personal data "${value}" left in a body: ${body}`);
}

/**
 * `value` as a token of its own in `text`, not inside a longer run of letters and digits: the
 * board id 731905 is personal data, the position 8628731905 is not.
 */
export const standsIn = (text: string, value: string): boolean =>
  new RegExp(
    `(^|[^A-Za-z0-9])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9])`,
  ).test(text);

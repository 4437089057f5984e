import { claimDeadline, type Activity } from '@ledger/domain';
import type { EntityManager } from 'typeorm';
import type { ProjectedEvent, Projection } from '../projection';

/**
 * R12/R5: per learner, activity and earned year, what was earned and claimed. Unclaimed and
 * expired are read from it at query time: they depend on the instant asked about, and the
 * claim deadline of a year is fixed (31 December of year + 2 in the configured zone).
 */
export class CreditBalancesProjection implements Projection {
  readonly name = 'credit-balances';

  // Per-generation DDL, as every projection's (see design notes, "Database connections"): alike
  // in shape with the claims projection's, each stating its own tables.
  async createTables(manager: EntityManager, schema: string): Promise<void> {
    await manager.query(`
      CREATE TABLE ${schema}.credit_lots (
        learner_id     text    NOT NULL,
        activity       text    NOT NULL,
        earned_year    integer NOT NULL,
        claim_deadline date    NOT NULL,
        earned         bigint  NOT NULL DEFAULT 0,
        claimed        bigint  NOT NULL DEFAULT 0,
        PRIMARY KEY (learner_id, activity, earned_year)
      );
      CREATE INDEX ON ${schema}.credit_lots (claim_deadline) WHERE earned > claimed;
      CREATE TABLE ${schema}.learner_positions (
        learner_id text   PRIMARY KEY,
        position   bigint NOT NULL
      );`);
  }

  async apply(
    manager: EntityManager,
    schema: string,
    events: readonly ProjectedEvent[],
  ): Promise<void> {
    // A batch's changes are summed in memory and written with one statement per table.
    const lots = new Map<
      string,
      {
        learnerId: string;
        activity: Activity;
        year: number;
        deadline: string;
        earned: bigint;
        claimed: bigint;
      }
    >();
    const positions = new Map<string, bigint>();
    const lot = (learnerId: string, activity: Activity, year: number) => {
      const key = `${learnerId}\u0000${activity}\u0000${year}`;
      let found = lots.get(key);
      if (!found) {
        found = {
          learnerId,
          activity,
          year,
          deadline: claimDeadline(year),
          earned: 0n,
          claimed: 0n,
        };
        lots.set(key, found);
      }
      return found;
    };
    for (const { event, learnerId, recorded } of events) {
      if (!event || !learnerId) continue;
      switch (event.type) {
        case 'QuestionResearched':
          lot(learnerId, 'ipoc', event.data.earnedYear).earned += BigInt(event.data.twelfths);
          break;
        case 'AnswerCorrect':
          lot(learnerId, 'nejm-board-review', event.data.earnedYear).earned += BigInt(
            event.data.twelfths,
          );
          break;
        case 'CreditClaimed':
          for (const line of event.data.breakdown) {
            lot(learnerId, event.data.activity, line.earnedYear).claimed += BigInt(line.twelfths);
          }
          break;
        default:
          continue;
      }
      positions.set(learnerId, recorded.position);
    }
    if (lots.size > 0) {
      const rows = [...lots.values()];
      await manager.query(
        `INSERT INTO ${schema}.credit_lots AS l (learner_id, activity, earned_year, claim_deadline, earned, claimed)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::date[], $5::bigint[], $6::bigint[])
         ON CONFLICT (learner_id, activity, earned_year) DO UPDATE
           SET earned = l.earned + EXCLUDED.earned, claimed = l.claimed + EXCLUDED.claimed`,
        [
          rows.map((r) => r.learnerId),
          rows.map((r) => r.activity),
          rows.map((r) => r.year),
          rows.map((r) => r.deadline),
          rows.map((r) => r.earned.toString()),
          rows.map((r) => r.claimed.toString()),
        ],
      );
    }
    if (positions.size > 0) {
      await manager.query(
        `INSERT INTO ${schema}.learner_positions AS p (learner_id, position)
         SELECT * FROM unnest($1::text[], $2::bigint[])
         ON CONFLICT (learner_id) DO UPDATE SET position = GREATEST(p.position, EXCLUDED.position)`,
        [[...positions.keys()], [...positions.values()].map(String)],
      );
    }
  }
}

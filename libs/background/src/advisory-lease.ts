import type { DataSource, QueryRunner } from 'typeorm';

/**
 * A lease: a PostgreSQL session advisory lock, `pg_try_advisory_lock(hashtext(key))`, held on
 * a connection of its own. Whoever holds it is the one process doing the work it names; the
 * others stand by. It ends with its session, so a process that dies (or whose connection
 * breaks) frees it for another at once. Work done under the lease goes through `connection`:
 * a write there cannot outlive the lease, which is what fences a checkpoint.
 *
 * Operators see holders in `pg_locks` (`checkReadModels` reads it without taking anything).
 */
export class AdvisoryLease {
  private constructor(
    readonly key: string,
    readonly connection: QueryRunner,
  ) {}

  /** The lease, or undefined when another session holds it. */
  static async tryAcquire(dataSource: DataSource, key: string): Promise<AdvisoryLease | undefined> {
    const connection = dataSource.createQueryRunner();
    await connection.connect();
    try {
      const [row] = (await connection.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        key,
      ])) as { locked: boolean }[];
      if (row?.locked) return new AdvisoryLease(key, connection);
    } catch (error) {
      await connection.release().catch(() => undefined);
      throw error;
    }
    await connection.release();
    return undefined;
  }

  /** Lets go of the lease and its connection; never throws (a broken session holds nothing). */
  async release(): Promise<void> {
    await this.connection
      .query('SELECT pg_advisory_unlock(hashtext($1))', [this.key])
      .catch(() => undefined);
    await this.connection.release().catch(() => undefined);
  }
}

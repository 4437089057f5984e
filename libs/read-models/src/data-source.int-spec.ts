import type { DataSource } from 'typeorm';
import { LedgerFixture } from '../../../test/support/ledger-fixture';
import { openReadModels, poolOf } from './data-source';

describe("the read models' pool (the process's one pool)", () => {
  let f: LedgerFixture;
  let ds: DataSource;
  beforeAll(async () => {
    f = await LedgerFixture.create('pool_breaks');
    ds = await openReadModels(f.url);
  });
  afterAll(async () => {
    await ds.destroy();
    await f.close();
  });

  it('outlives a checked-out connection that PostgreSQL closes: its holder sees a failed query, the next one works', async () => {
    // Checked out as the event store and the checkpointer do (not through a query runner).
    const held = await poolOf(ds).connect();
    const { rows } = await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const ended = new Promise((resolve) => held.once('end', resolve));
    // As a PostgreSQL restart does to every session: the server ends the held one.
    await f.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    // The connection has seen its end (and pg has emitted its 'error' event, heard or not).
    await ended;
    // pg reports the break as an 'error' event on the connection; unheard, an 'error' event
    // throws out of the socket's callback and ends the process.
    expect(() => held.emit('error', new Error('Connection terminated unexpectedly'))).not.toThrow();
    await expect(held.query('SELECT 1')).rejects.toThrow();
    held.release(true);
    await expect(ds.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });
});

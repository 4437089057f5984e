import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openReadModels } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import { freshDatabase } from '../../../../test/support/test-database';
import { LEDGER_TABLES } from '../operational/ledger-tables';
import { KEY_ENTRY_BYTES, PersonalDataCipher } from './personal-data-cipher';

// The collector, to read what memory stays held once the garbage is gone.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MASTER_KEY = Buffer.alloc(32, 5);

describe("the learners' key cache on a real PostgreSQL", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: DataSource;
  beforeAll(async () => {
    db = await freshDatabase('key-cache');
    // As a process opens it: its migrations make the operational tables.
    pool = await openReadModels(db.url, { poolSize: 2, tables: [LEDGER_TABLES] });
  });
  afterAll(async () => {
    await pool.destroy();
    await db.drop();
  });

  it('keeps at most its bound in bytes, and a learner whose key left the cache still reads back', async () => {
    const bound = 20 * KEY_ENTRY_BYTES;
    const cipher = new PersonalDataCipher(pool, MASTER_KEY, bound);
    const sealed: [string, string][] = [];
    for (let i = 0; i < 50; i++) {
      const learner = `bound-${i}`;
      sealed.push([learner, await cipher.encrypt(learner, { lastName: `Quinn ${i}` })]);
    }
    expect(cipher.figures()).toEqual({ entries: 20, bytes: bound, limitBytes: bound });
    for (const [i, [learner, ciphertext]] of sealed.entries())
      expect(await cipher.decrypt(learner, ciphertext)).toEqual({ lastName: `Quinn ${i}` });
    expect(cipher.figures().entries).toBe(20);
  });

  it('a cached key holds 32 bytes of its own, not an 8 KiB slab shared with other data', async () => {
    const cipher = new PersonalDataCipher(pool, MASTER_KEY);
    const learners = 400;
    gc();
    gc();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < learners; i++) {
      await cipher.encrypt(`slab-${i}`, { lastName: 'Quinn' });
      // What a server does between two keys: small Buffers of its own, from the same slabs.
      Buffer.allocUnsafe(4000);
      Buffer.allocUnsafe(4000);
    }
    gc();
    gc();
    const held = process.memoryUsage().arrayBuffers - before;
    expect(cipher.figures().entries).toBe(learners);
    // A key keeping its slab would hold 400 × 8 KiB = 3.2 MiB here.
    expect(held).toBeLessThan(learners * 1024);
  });
});

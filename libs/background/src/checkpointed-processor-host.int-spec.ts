import { DataSource } from 'typeorm';
import { eventually } from '../../../test/support/eventually';
import { freshDatabase, type FreshDatabase } from '../../../test/support/test-database';
import {
  CheckpointedProcessorHost,
  type CheckpointedProcessor,
  type LogSource,
  type LogSubscription,
  type ProcessorSession,
} from './checkpointed-processor-host';
import { InterruptibleLoop } from './interruptible-loop';

interface Entry {
  readonly position: bigint;
}

/** A log in memory, followed by polling (what the event store's subscriptions do, in small). */
class MemoryLog implements LogSource<Entry> {
  readonly entries: Entry[] = [];

  append(count: number): void {
    for (let i = 0; i < count; i++)
      this.entries.push({ position: BigInt(this.entries.length + 1) });
  }

  subscribeToAll(
    handler: (events: readonly Entry[]) => Promise<void>,
    options: { after: bigint; batchSize: number },
  ): LogSubscription {
    let after = options.after;
    let live = false;
    const loop = new InterruptibleLoop({
      turn: async () => {
        const page = this.entries.filter((e) => e.position > after).slice(0, options.batchSize);
        const last = page[page.length - 1];
        if (last) {
          await handler(page);
          after = last.position;
        }
        live ||= page.length < options.batchSize;
        return page.length < options.batchSize ? 10 : 0;
      },
      classify: () => 'permanent',
    });
    return {
      done: loop.start(),
      get live() {
        return live;
      },
      stop: () => loop.stop(),
    };
  }
}

/** Records each position it applies (a primary key: never twice) and its checkpoint, fenced. */
class RecordingProcessor implements CheckpointedProcessor<Entry> {
  readonly leaseKey = 'cme-ledger/process/host-spec';
  readonly logFields = { process: 'host-spec' };
  private checkpoint = 0n;

  async open({ connection }: ProcessorSession): Promise<bigint> {
    const [row] = (await connection.query(
      `SELECT position::text FROM host_spec_checkpoint WHERE name = 'host-spec'`,
    )) as { position: string }[];
    this.checkpoint = BigInt(row?.position ?? '0');
    return this.checkpoint;
  }

  async handle(events: readonly Entry[], { connection }: ProcessorSession): Promise<void> {
    const last = events[events.length - 1]!;
    await connection.startTransaction();
    try {
      for (const e of events)
        await connection.query('INSERT INTO host_spec_applied (position) VALUES ($1)', [
          e.position.toString(),
        ]);
      const moved = await connection.query(
        `UPDATE host_spec_checkpoint SET position = $1 WHERE name = 'host-spec' AND position = $2`,
        [last.position.toString(), this.checkpoint.toString()],
        true,
      );
      if (moved.affected !== 1) throw new Error('checkpoint moved under this processor');
      await connection.commitTransaction();
    } catch (error) {
      await connection.rollbackTransaction().catch(() => undefined);
      throw error;
    }
    this.checkpoint = last.position;
  }
}

describe('the checkpointed-processor host', () => {
  let db: FreshDatabase;
  const dataSources: DataSource[] = [];
  const hosts: CheckpointedProcessorHost<Entry>[] = [];

  beforeAll(async () => {
    db = await freshDatabase('processor_host');
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await Promise.all(dataSources.map((d) => d.destroy()));
    await db.drop();
  });

  const open = async (): Promise<DataSource> => {
    const dataSource = await new DataSource({
      type: 'postgres',
      url: db.url,
      poolSize: 3,
    }).initialize();
    dataSources.push(dataSource);
    return dataSource;
  };

  it('runs the processor in one process at a time; when that one dies, another takes over from the checkpoint and applies nothing twice', async () => {
    const admin = await open();
    await admin.query(`CREATE TABLE host_spec_applied (position bigint PRIMARY KEY)`);
    await admin.query(
      `CREATE TABLE host_spec_checkpoint (name text PRIMARY KEY, position bigint NOT NULL)`,
    );
    await admin.query(`INSERT INTO host_spec_checkpoint VALUES ('host-spec', 0)`);
    const log = new MemoryLog();
    for (let i = 0; i < 2; i++) {
      const host = new CheckpointedProcessorHost(await open(), log, new RecordingProcessor(), {
        batchSize: 7,
        retryMs: 50,
      });
      host.start();
      hosts.push(host);
    }
    const applied = async (): Promise<string> =>
      (
        (await admin.query(`SELECT count(*)::text AS n FROM host_spec_applied`)) as { n: string }[]
      )[0]!.n;

    log.append(40);
    await eventually(async () => expect(await applied()).toBe('40'));
    expect(hosts.map((h) => h.state).sort()).toEqual(['running', 'standby']);

    // The process holding the lease dies while events keep coming: its session ends (as with
    // SIGKILL), and the lease with it; then nothing of that process runs any more.
    const holder = hosts.find((h) => h.state === 'running')!;
    const other = hosts.find((h) => h !== holder)!;
    log.append(20);
    // Only this test's database: on a shared server other databases' sessions hold advisory
    // locks too (migrations, other tests' leases), and ending them would fail their work.
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    await holder.stop();
    log.append(20);
    await eventually(async () => expect(await applied()).toBe('80'));
    expect(other.state).toBe('running');
    const [checkpoint] = (await admin.query(`SELECT position::text FROM host_spec_checkpoint`)) as {
      position: string;
    }[];
    expect(checkpoint?.position).toBe('80');
  });
});

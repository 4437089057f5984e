import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  backupEmbeddedServer,
  ensureLedgerDatabase,
  restoreEmbeddedServer,
  userOf,
} from '@ledger/database';
import {
  checkExport,
  checkIntegrity,
  digestLog,
  exportLog,
  importLog,
  InvalidAsOfError,
  InvalidLogRangeError,
  learnerCreditsAsOf,
  learnerVerification,
  parseAsOf,
  postgresImportTarget,
  StreamVerifier,
  type IntegrityReport,
} from '@ledger/audit';
import {
  allProjections,
  checkReadModels,
  projectionStates,
  requestRebuild,
  type ReadModelsCheck,
} from '@ledger/read-models';
import {
  PARS_ACTIVITIES,
  ParsBoardGateway,
  templateBFile,
  type ActivityCheck,
} from '@ledger/boards';
import {
  boardSubmissionEventCodec,
  learnerEventCodec,
  parsBatch,
  PersonalDataCipher,
} from '@ledger/ledger';
import { writeFile } from 'node:fs/promises';
import { describeError, loadConfig, migrateAsOwner } from '@ledger/runtime';
import { CliContext } from './cli-context';
import { TRANSPARENCY_COMMANDS, TRANSPARENCY_USAGE, withTree } from './transparency-commands';
import { json, linesOf, position, UsageError, write, type CliIo } from './cli-io';

export const USAGE = `Usage: npm run ledger -- <command> [options]

Auditors
  replay-learner <learnerId> [--as-of <instant|position>]
      The learner's balances replayed from the events alone, as they stood at an instant
      (ISO 8601 with a zone: what had been recorded by then) or a global position; default now.
  verify [--up-to <position>] [--expected-digest <hex>]
      Verifies every stream's hash chain and prints the log's digest; without --up-to, also
      checks the read models against the log (after a restore: whether a checkpoint is past
      the log's head, so a rebuild is needed, and why any projection is behind). Exit 1 if
      anything is broken, the digest differs, or the read models need a rebuild.
  digest [--after <position>] [--up-to <position>]
      The digest of the log's range, to store and compare later.
  export [--after <position>] [--up-to <position>] [--out <file>]
      The log as NDJSON (one event a line, with hashes) to a file or stdout; its digest on stderr.
  check-export <file> [--digest <hex>] [--after <position>] [--against-ledger]
      Checks an export's hash chains and digest on their own; with --against-ledger, compares it
      event by event with the configured ledger and names the first difference. Exit 1 if not ok.

Operators
  migrate                   Applies the migrations as the database's owner (DATABASE_OWNER_URL,
                            or the embedded server's owner role; else DATABASE_URL's role) and
                            grants the service role of DATABASE_URL what the ledger needs.
  backup [--out <dir>]      Backs up the embedded server while the service runs (default
                            <LEDGER_DATA_DIR>/backups/<time>); \`restore\` takes it back.
  restore <dir>             Restores such a backup into the embedded server (the service
                            stopped; the data it replaces is kept beside it), starts it on the
                            copy and prints what \`verify\` prints. Exit 1 if that is not ok.
  import <file>             Replays an export into the configured ledger, which must be empty.
  rebuild <projection>      Asks the projection's runner to rebuild it from position zero.
  projections               Each projection's position, events applied, failure, rebuild.

${TRANSPARENCY_USAGE}
ACCME PARS (BOARD_GATEWAY_URL: PARS's web services; PARS_PROVIDER_ID, PARS_API_KEY)
  pars-activities [--register]
      Verifies that PARS holds each configured activity as configured (ids, type, credit,
      dates, MOC per board); with --register, registers those missing or different first.
      Exit 1 if an activity is still missing or different.
  pars-batch --from <YYYY-MM-DD> --to <YYYY-MM-DD> --out <file>
      PARS's tab-delimited learner file (Learner Template B) of the board submissions completed
      in that range (dates in PARS's time zone, both included), for upload by hand. What it
      leaves out (erased learners, boards PARS does not reach) is listed on stderr.

The ledger is the one the API is configured with: DATABASE_URL, or the embedded PostgreSQL
under LEDGER_DATA_DIR (default ./data). Exit codes: 0 ok, 1 check failed or error, 2 usage.
`;

type Options = NonNullable<ParseArgsConfig['options']>;

interface Command {
  positionals: string[];
  options: Options;
  run(
    args: { positionals: string[]; values: Record<string, string | boolean | undefined> },
    context: CliContext,
    io: CliIo,
  ): Promise<number>;
}

const str = (values: Record<string, string | boolean | undefined>, name: string) => {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
};

const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;
const digestOption = (name: string, value: string | undefined): string | undefined => {
  if (value !== undefined && !HEX_DIGEST.test(value)) {
    throw new UsageError(`--${name} must be 64 hex digits (a sha-256)`);
  }
  return value;
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const dateOption = (name: string, value: string | undefined): string => {
  if (value === undefined || !DATE.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError(`--${name} must be a date YYYY-MM-DD`);
  }
  return value;
};

function parsGateway(context: CliContext): ParsBoardGateway {
  const { boardGatewayUrl, parsProviderId, parsApiKey } = context.config;
  if (boardGatewayUrl === undefined) {
    throw new UsageError(
      "BOARD_GATEWAY_URL is not set: point it at PARS's web services (or the PARS simulator's /pars/ws)",
    );
  }
  return new ParsBoardGateway({
    baseUrl: boardGatewayUrl,
    providerId: parsProviderId,
    ...(parsApiKey === undefined ? {} : { apiKey: parsApiKey }),
  });
}

const COMMANDS: Record<string, Command> = {
  ...TRANSPARENCY_COMMANDS,
  'pars-activities': {
    positionals: [],
    options: { register: { type: 'boolean' } },
    async run({ values }, context, io) {
      const pars = parsGateway(context);
      let failed = 0;
      for (const activity of Object.values(PARS_ACTIVITIES)) {
        let check: ActivityCheck = await pars.verifyActivity(activity);
        let registered = false;
        if (check.status !== 'registered' && values['register'] === true) {
          await pars.registerActivity(activity);
          registered = true;
          check = await pars.verifyActivity(activity);
        }
        if (check.status !== 'registered') failed += 1;
        await write(io.stdout, json({ activity: activity.activity, ...check, registered }));
      }
      return failed === 0 ? 0 : 1;
    },
  },
  'pars-batch': {
    positionals: [],
    options: { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } },
    async run({ values }, context, io) {
      const from = dateOption('from', str(values, 'from'));
      const to = dateOption('to', str(values, 'to'));
      const out = str(values, 'out');
      if (out === undefined) throw new UsageError('--out <file> is required');
      if (from > to) throw new UsageError('--from must not be after --to');
      const batch = await parsBatch(
        await context.eventStore(),
        {
          learner: learnerEventCodec(
            new PersonalDataCipher(
              await context.readModelsSource(),
              context.config.masterKey,
              context.config.keyCacheBytes,
            ),
          ),
          submission: boardSubmissionEventCodec(),
        },
        { from, to },
      );
      await writeFile(out, templateBFile(batch.records), { mode: 0o600 });
      for (const omission of batch.omitted) await write(io.stderr, json({ omitted: omission }));
      await write(
        io.stdout,
        json({ file: out, records: batch.records.length, omitted: batch.omitted.length }),
      );
      return 0;
    },
  },
  'replay-learner': {
    positionals: ['learnerId'],
    options: { 'as-of': { type: 'string' } },
    async run({ positionals: [learnerId], values }, context, io) {
      const text = str(values, 'as-of');
      let asOf;
      try {
        asOf = text === undefined ? { kind: 'instant' as const, at: new Date() } : parseAsOf(text);
      } catch (error) {
        if (error instanceof InvalidAsOfError) throw new UsageError(`--as-of ${error.message}`);
        throw error;
      }
      const store = await context.eventStore();
      const view = await learnerCreditsAsOf(store, learnerId!, asOf, {
        timeZone: context.config.timeZone,
        now: () => new Date(),
      });
      // As the audit endpoint answers: whether the learner's stream passed verification.
      const verification = await withTree(context, (tree) =>
        learnerVerification(new StreamVerifier(store, tree), learnerId!),
      );
      await write(io.stdout, json({ ...view, verification }));
      return 0;
    },
  },
  verify: {
    positionals: [],
    options: { 'up-to': { type: 'string' }, 'expected-digest': { type: 'string' } },
    async run({ values }, context, io) {
      const report = await verifyLedger(context, {
        upTo: position('up-to', str(values, 'up-to')),
        expectedDigest: digestOption('expected-digest', str(values, 'expected-digest')),
      });
      await write(io.stdout, json(report));
      return report.ok ? 0 : 1;
    },
  },
  backup: {
    positionals: [],
    options: { out: { type: 'string' } },
    async run({ values }, context, io) {
      embeddedOnly(context, 'backup');
      const server = context.embeddedServer();
      // The server the service uses (started here when it is not running).
      await context.databaseUrl();
      const out = resolve(
        str(values, 'out') ??
          join(context.config.dataDir, 'backups', new Date().toISOString().replace(/[:.]/g, '-')),
      );
      const manifest = await backupEmbeddedServer({
        port: server.port,
        pgdata: server.pgdata,
        out,
      });
      await write(
        io.stdout,
        json({
          backup: out,
          takenAt: manifest.takenAt,
          serverVersion: manifest.serverVersion,
          startLsn: manifest.startLsn,
          stopLsn: manifest.stopLsn,
          files: manifest.files.length,
          bytes: manifest.files.reduce((sum, f) => sum + f.bytes, 0),
        }),
      );
      return 0;
    },
  },
  restore: {
    positionals: ['backup'],
    options: {},
    async run({ positionals: [backup] }, context, io) {
      embeddedOnly(context, 'restore');
      const server = context.embeddedServer();
      const restored = await restoreEmbeddedServer({
        backup: resolve(backup!),
        dataDir: server.dataDir,
        port: server.port,
      });
      // The ledger's roles on the restored copy (a backup of an older version has none yet).
      const roles = await ensureLedgerDatabase(
        restored.server.url,
        'ledger',
        restored.server.credentials,
      );
      context.useDatabase({
        url: roles.serviceUrl,
        ownerUrl: roles.ownerUrl,
        kind: 'embedded',
        stop: () => restored.server.stop(),
      });
      const verification = await verifyLedger(context, {});
      await write(
        io.stdout,
        json({
          restored: resolve(backup!),
          takenAt: restored.manifest.takenAt,
          replacedDataKeptIn: restored.replaced ?? null,
          verification,
        }),
      );
      return verification.ok ? 0 : 1;
    },
  },
  digest: {
    positionals: [],
    options: { after: { type: 'string' }, 'up-to': { type: 'string' } },
    async run({ values }, context, io) {
      const report = await digestLog(await context.eventStore(), {
        after: position('after', str(values, 'after')),
        upTo: position('up-to', str(values, 'up-to')),
      });
      await write(io.stdout, json(report));
      return 0;
    },
  },
  export: {
    positionals: [],
    options: { after: { type: 'string' }, 'up-to': { type: 'string' }, out: { type: 'string' } },
    async run({ values }, context, io) {
      const out = exportLog(await context.eventStore(), {
        after: position('after', str(values, 'after')),
        upTo: position('up-to', str(values, 'up-to')),
      });
      const file = str(values, 'out');
      const target = file === undefined ? io.stdout : createWriteStream(file, { flags: 'wx' });
      if (file !== undefined) {
        await new Promise<void>((resolve, reject) => {
          target.once('open', () => resolve());
          target.once('error', reject);
        });
      }
      for await (const chunk of out.chunks) await write(target, chunk);
      if (file !== undefined) {
        await new Promise<void>((resolve, reject) => {
          target.once('error', reject);
          target.end(() => resolve());
        });
      }
      await write(file === undefined ? io.stderr : io.stdout, json(out.digest()));
      return 0;
    },
  },
  'check-export': {
    positionals: ['file'],
    options: {
      digest: { type: 'string' },
      after: { type: 'string' },
      'against-ledger': { type: 'boolean' },
    },
    async run({ positionals: [file], values }, context, io) {
      const report = await checkExport(linesOf(file!, io), {
        expectedDigest: digestOption('digest', str(values, 'digest')),
        after: position('after', str(values, 'after')),
        ledger: values['against-ledger'] === true ? await context.eventStore() : undefined,
      });
      await write(io.stdout, json(report));
      return report.ok ? 0 : 1;
    },
  },
  migrate: {
    positionals: [],
    options: {},
    async run(_args, context, io) {
      // Opening the database migrates it when the owner is known; otherwise DATABASE_URL's role
      // is the owner as well.
      const database = await context.resolvedDatabase();
      if (!database.ownerUrl) {
        await migrateAsOwner({
          ownerUrl: database.url,
          serviceUrl: database.url,
          eventStore: context.config.eventStore,
        });
      }
      await write(
        io.stdout,
        json({
          migrated: true,
          owner: userOf(database.ownerUrl ?? database.url),
          service: userOf(database.url),
        }),
      );
      return 0;
    },
  },
  import: {
    positionals: ['file'],
    options: {},
    async run({ positionals: [file] }, context, io) {
      if (context.config.eventStore !== 'postgres') {
        throw new UsageError(
          'import replays into the PostgreSQL event store only (EVENT_STORE=postgres)',
        );
      }
      const target = await postgresImportTarget(await context.databaseUrl(), await context.pool());
      try {
        const report = await importLog(linesOf(file!, io), target);
        // Up to the import's own last position: the whole import, even where a transaction open
        // elsewhere on the server holds the readable horizon back for a moment.
        const imported = await checkIntegrity(target.store, {
          expectedDigest: report.log.digest,
          upTo: BigInt(report.upToPosition),
        });
        await write(io.stdout, json({ ...report, verification: imported }));
        return imported.ok ? 0 : 1;
      } finally {
        await target.close();
      }
    },
  },
  rebuild: {
    positionals: ['projection'],
    options: {},
    async run({ positionals: [name] }, context, io) {
      const names = allProjections().map((p) => p.name);
      if (!names.includes(name!)) {
        throw new UsageError(`no projection ${name}; projections: ${names.join(', ')}`);
      }
      const found = await requestRebuild(await context.readModelsSource(), name!);
      if (!found) {
        await write(
          io.stderr,
          `projection ${name} has never run here: start the API or the worker first\n`,
        );
        return 1;
      }
      await write(
        io.stdout,
        `rebuild of ${name} requested: its runner rebuilds it from position zero into a new generation, ` +
          'then swaps it in (`npm run ledger -- projections` shows the progress)\n',
      );
      return 0;
    },
  },
  projections: {
    positionals: [],
    options: { json: { type: 'boolean' } },
    async run({ values }, context, io) {
      const rows: ProjectionRow[] = (await projectionStates(await context.readModelsSource())).map(
        (p) => ({
          name: p.name,
          generation: p.liveGeneration,
          position: p.livePosition,
          applied: p.eventsApplied,
          failed_event: p.failedEvent,
          failure: p.failure,
          rebuild_requested_at: p.rebuildRequestedAt,
          rebuild_position: p.rebuildPosition,
          updated_at: p.updatedAt,
        }),
      );
      if (values.json === true) {
        await write(io.stdout, json(rows));
        return 0;
      }
      await write(io.stdout, projectionTable(rows));
      return rows.some((r) => r.failure !== null) ? 1 : 0;
    },
  },
};

/**
 * Every stream's hash chain and the log's digest (over a range, or the whole log), and for
 * the whole log the read models against it: after a restore, whether a checkpoint is past the
 * log's head (a rebuild is needed) and why any reader is behind.
 */
async function verifyLedger(
  context: CliContext,
  options: { upTo?: bigint; expectedDigest?: string },
): Promise<IntegrityReport & { readModels?: ReadModelsCheck }> {
  const store = await context.eventStore();
  let report = await checkIntegrity(store, options);
  if (options.upTo !== undefined) return report;
  const source = await context.readModelsSource();
  let readModels = await checkReadModels(source, BigInt(report.log.upToPosition));
  // A checkpoint past the log this read saw is not yet "ahead": its events may be committed and
  // still hidden from a new reader for a moment (on a shared server, another database's
  // transaction holds the view; see the event store's readable horizon). Read the log again up
  // to the furthest such checkpoint, which waits for events committed below it, before telling
  // the operator to rebuild.
  const ahead = readModels.readers
    .filter((r) => r.state === 'ahead')
    .map((r) => BigInt(r.position));
  if (ahead.length > 0) {
    const furthest = ahead.reduce((a, b) => (a > b ? a : b));
    report = await checkIntegrity(store, { ...options, upTo: furthest });
    readModels = await checkReadModels(source, BigInt(report.log.upToPosition));
  }
  return { ...report, ok: report.ok && readModels.ok, readModels };
}

/** backup and restore copy the embedded server; another server has its own tools. */
function embeddedOnly(context: CliContext, command: string): void {
  if (context.config.databaseUrl) {
    throw new UsageError(
      `${command} works on the embedded server; DATABASE_URL is set: use that server's own tools ` +
        '(pg_dump -Fc and pg_restore, or pg_basebackup; see "Backup and restore" in the README)',
    );
  }
}

interface ProjectionRow {
  name: string;
  generation: number;
  position: string;
  applied: string;
  failed_event: string | null;
  failure: string | null;
  rebuild_requested_at: Date | null;
  rebuild_position: string | null;
  updated_at: Date;
}

function projectionTable(rows: readonly ProjectionRow[]): string {
  if (rows.length === 0) return 'no projection has run yet\n';
  const table = [
    ['projection', 'generation', 'position', 'events applied', 'rebuild', 'status'],
    ...rows.map((r) => [
      r.name,
      String(r.generation),
      r.position,
      r.applied,
      r.rebuild_requested_at ? `at ${r.rebuild_position ?? '0'}` : '-',
      r.failure ? `FAILED on ${r.failed_event ?? '?'}: ${r.failure}` : 'ok',
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return `${table
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** Runs one CLI command; resolves to the exit code. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    await write(name === undefined ? io.stderr : io.stdout, USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    await write(io.stderr, `unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: command.options,
      allowPositionals: true,
      strict: true,
    });
    if (parsed.positionals.length !== command.positionals.length) {
      throw new UsageError(
        `${name} takes ${command.positionals.map((p) => `<${p}>`).join(' ') || 'no arguments'}`,
      );
    }
  } catch (error) {
    await write(io.stderr, `${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  // Who ran what, as a structured line on stderr (operators' commands are audited too).
  await write(
    io.stderr,
    `${JSON.stringify({
      level: 'info',
      time: new Date().toISOString(),
      msg: 'cli command',
      actor: `cli:${userInfo().username}`,
      command: name,
      args: rest,
    })}\n`,
  );
  const context = new CliContext(loadConfig(env));
  try {
    return await command.run(
      {
        positionals: parsed.positionals,
        values: parsed.values as Record<string, string | boolean | undefined>,
      },
      context,
      io,
    );
  } catch (error) {
    await write(
      io.stderr,
      isUsage(error)
        ? `${(error as Error).message}\n`
        : `ledger ${name} failed: ${describeError(error)}\n`,
    );
    return isUsage(error) ? 2 : 1;
  } finally {
    await context.close();
  }
}

/** A mistake in what was asked (exit code 2), not a failure of the ledger. */
const isUsage = (error: unknown): boolean =>
  error instanceof UsageError || error instanceof InvalidLogRangeError;

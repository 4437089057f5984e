import { readFile, writeFile } from 'node:fs/promises';
import {
  AuditProofs,
  checkConsistencyProof,
  checkInclusionProof,
  checkpointProblem,
  Checkpointer,
  CONSISTENCY_PROOF_VERSION,
  FolderWitness,
  INCLUSION_PROOF_VERSION,
  LogTree,
  verifyAgainstCheckpoint,
  type ConsistencyProof,
  type InclusionProof,
  type SignedCheckpoint,
} from '@ledger/audit';
import { checkpointSigner } from '@ledger/runtime';
import type { CliContext } from './cli-context';
import { json, UsageError, write, type CliIo } from './cli-io';

type Values = Record<string, string | boolean | undefined>;

/** A command of the CLI (see cli.ts). */
export interface CliCommand {
  positionals: string[];
  options: Record<string, { type: 'string' | 'boolean' }>;
  run(
    args: { positionals: string[]; values: Values },
    context: CliContext,
    io: CliIo,
  ): Promise<number>;
}

const str = (values: Values, name: string): string | undefined => {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
};

const treeSize = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(value)) {
    throw new UsageError(`--${name} must be a tree size (a whole number), not "${value}"`);
  }
  return Number(value);
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${what} ${file} cannot be read: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${what} ${file} is not JSON`);
  }
}

async function publicKeyOf(values: Values, context: CliContext): Promise<string> {
  const file = str(values, 'public-key');
  if (file === undefined) return checkpointSigner(context.config).publicKeyPem();
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--public-key ${file} cannot be read: ${(error as Error).message}`);
  }
}

/** The log's tree on the configured ledger, on the CLI's one pool. */
export async function withTree<T>(
  context: CliContext,
  work: (tree: LogTree) => Promise<T>,
): Promise<T> {
  return work(new LogTree(await context.pool(), await context.eventStore()));
}

async function output(values: Values, io: CliIo, value: unknown): Promise<void> {
  const out = str(values, 'out');
  if (out === undefined) await write(io.stdout, json(value));
  else await writeFile(out, json(value), { flag: 'wx' });
}

export const TRANSPARENCY_USAGE = `
Signed checkpoints and proofs (the Merkle tree over the log)
  public-key                The checkpoint key's public half (PEM), to publish to auditors.
  checkpoint                Brings the tree up to the log's end and signs a checkpoint now
                            (kept in LEDGER_WITNESS_DIR and in the database); prints it.
  proof <eventId> [--tree-size <n>] [--out <file>]
                            The event's inclusion proof against the latest checkpoint (or the
                            one of that size): the event, the path and the signed checkpoint.
  consistency --from <n> [--to <n>] [--out <file>]
                            A consistency proof between two signed checkpoints (default: to the latest).
  verify-proof <file> [--public-key <pem>]
                            Checks an inclusion or consistency proof offline: nothing but the
                            file and the public key (default: the configured key's). Exit 1 if not ok.
  verify-checkpoint [--checkpoint <file>] [--public-key <pem>]
                            Recomputes the tree of the log and compares it with the latest
                            checkpoint of the witness folder (or the one given): names the first
                            event that is not the one signed. Exit 1 if not ok.
`;

export const TRANSPARENCY_COMMANDS: Record<string, CliCommand> = {
  'public-key': {
    positionals: [],
    options: {},
    async run(_args, context, io) {
      await write(io.stdout, checkpointSigner(context.config).publicKeyPem());
      return 0;
    },
  },
  checkpoint: {
    positionals: [],
    options: {},
    async run(_args, context, io) {
      const signer = checkpointSigner(context.config);
      const checkpoint = await withTree(context, (tree) =>
        new Checkpointer(tree, signer, new FolderWitness(context.config.witnessDir), {
          everyEvents: context.config.checkpointEveryEvents,
          intervalMs: context.config.checkpointIntervalMs,
        }).checkpointNow(),
      );
      await write(io.stdout, json(checkpoint));
      return 0;
    },
  },
  proof: {
    positionals: ['eventId'],
    options: { 'tree-size': { type: 'string' }, out: { type: 'string' } },
    async run({ positionals: [eventId], values }, context, io) {
      if (!UUID.test(eventId!)) throw new UsageError(`eventId must be a UUID, not "${eventId}"`);
      const size = treeSize('tree-size', str(values, 'tree-size'));
      const proof = await withTree(context, async (tree) =>
        new AuditProofs(tree, await context.eventStore()).inclusion(eventId!, size),
      );
      await output(values, io, proof);
      return 0;
    },
  },
  consistency: {
    positionals: [],
    options: { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } },
    async run({ values }, context, io) {
      const from = treeSize('from', str(values, 'from'));
      if (from === undefined) throw new UsageError('consistency needs --from <tree size>');
      const to = treeSize('to', str(values, 'to'));
      const proof = await withTree(context, async (tree) =>
        new AuditProofs(tree, await context.eventStore()).consistency(from, to),
      );
      await output(values, io, proof);
      return 0;
    },
  },
  'verify-proof': {
    positionals: ['file'],
    options: { 'public-key': { type: 'string' } },
    async run({ positionals: [file], values }, context, io) {
      const proof = (await readJson(file!, 'proof')) as { version?: unknown };
      const publicKey = await publicKeyOf(values, context);
      const check =
        proof.version === INCLUSION_PROOF_VERSION
          ? checkInclusionProof(proof as InclusionProof, publicKey)
          : proof.version === CONSISTENCY_PROOF_VERSION
            ? checkConsistencyProof(proof as ConsistencyProof, publicKey)
            : {
                ok: false,
                detail: `${file} is neither an inclusion nor a consistency proof (version "${String(proof.version)}")`,
              };
      await write(io.stdout, json(check));
      return check.ok ? 0 : 1;
    },
  },
  'verify-checkpoint': {
    positionals: [],
    options: { checkpoint: { type: 'string' }, 'public-key': { type: 'string' } },
    async run({ values }, context, io) {
      const publicKey = await publicKeyOf(values, context);
      const witnessed = await new FolderWitness(context.config.witnessDir).all();
      const given = str(values, 'checkpoint');
      const checkpoint = given
        ? ((await readJson(given, 'checkpoint')) as SignedCheckpoint)
        : witnessed
            .filter((c) => checkpointProblem(c, publicKey) === undefined)
            .sort((a, b) => a.treeSize - b.treeSize)
            .at(-1);
      if (!checkpoint) {
        throw new UsageError(
          `no checkpoint signed by this key in ${context.config.witnessDir}: give one with --checkpoint`,
        );
      }
      const report = await withTree(context, async (tree) =>
        verifyAgainstCheckpoint(await context.eventStore(), tree, checkpoint, publicKey, {
          earlierCheckpoints: witnessed,
        }),
      );
      await write(io.stdout, json(report));
      return report.ok ? 0 : 1;
    },
  },
};

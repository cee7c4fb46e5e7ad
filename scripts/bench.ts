// `npm run bench`: runs the built action (dist/index.js) against the local emulator, with real HTTP and the real
// SDK, for N targets whose job durations come from a seeded PRNG and an account quota that binds; measures it
// next to a sequential wait_for_compilation_job-style baseline on the same jobs, then writes BENCHMARKS.md and
// bench/results.json. See BENCHMARKS.md for the definitions of every measure.
//
//   node scripts/bench.ts [--sizes 1,10,100,500] [--quick] [--seed 42] [--full]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { CreateCompilationJobRequest } from '@aws-sdk/client-sagemaker';
import type { Emulator } from '../emulator/index.ts';
import { ACTION_ENTRY, createWorkspace, pullRequestEvent, runAction } from '../emulator/run-action.ts';
import type { RecordedCall } from '../emulator/types.ts';
import {
  type BaselineRun,
  drawDurations,
  JOB_PREFIX,
  type JobDuration,
  MODEL_BUCKET,
  MODEL_KEY,
  runBaseline,
  STARTING_SHARE,
  startBenchEmulator,
  TERMINAL_STATUSES,
  targetOfJobName,
  totalMs,
} from './bench-baseline.ts';
import { measurePreflight, type PreflightBench, peakRssOf } from './bench-preflight.ts';
import { measureStartups, type StartupMeasure } from './bench-startup.ts';
import { percentile } from './bench-stats.ts';
import { timeValidation, type ValidationTiming } from './validation-timing.ts';

// ----- fixed parameters of the scenario (issue 7)

const QUOTA = 20;
const POLL_MS = 250;
/** High enough never to bind, so the account quota is what limits concurrency. */
const MAX_CONCURRENCY = 1000;
const DURATION_MIN_MS = 1000;
const DURATION_MAX_MS = 8000;
const QUICK_SCALE = 0.25;
const DEFAULT_SIZES = [1, 10, 100, 500, 2000];
/** Target counts whose validation time is measured (issue 12: linear, 10,000 targets within 1 s). */
const VALIDATION_SIZES = [1000, 10_000];
const QUICK_SIZES = [1, 10];
const DEFAULT_SEED = 42;
/** Without --full the baseline runs only up to this N (N = 500 would take ~40 minutes). */
const BASELINE_MAX_N = 100;
const REPOSITORY = 'octo-org/vision-models';
/** Short runs per N for the start-up goal, judged on their median (bench-startup.ts). */
const STARTUP_RUNS = 5;
/** The start-up goal of issue 10 holds the sizes benched before it (N <= 500); N = 2000 is measured. */
const STARTUP_GOAL_MAX_N = 500;
const DEVICES = ['jetson_nano', 'rasp4b', 'ml_c5', 'jetson_xavier', 'rk3399', 'ml_m5', 'qcs605', 'imx8qm'];

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_FILE = path.join(ROOT, 'bench', 'results.json');
const REPORT_FILE = path.join(ROOT, 'BENCHMARKS.md');

// ----- arguments

const USAGE = `usage: node scripts/bench.ts [--sizes 1,10,100,500] [--quick] [--seed N] [--full]
  --sizes  target counts N to measure (default ${DEFAULT_SIZES.join(',')}; ${QUICK_SIZES.join(',')} with --quick)
  --quick  smoke run: sizes ${QUICK_SIZES.join(',')} (unless --sizes) and job durations scaled x${QUICK_SCALE}
  --seed   seed of the job-duration PRNG (default ${DEFAULT_SEED})
  --full   also run the sequential baseline for N > ${BASELINE_MAX_N} (about 40 minutes at N = 500)`;

function parseCli(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      quick: { type: 'boolean', default: false },
      seed: { type: 'string' },
      full: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const sizes = values.sizes
    ? values.sizes.split(',').map((part) => Number(part.trim()))
    : values.quick
      ? QUICK_SIZES
      : DEFAULT_SIZES;
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 10_000)) {
    throw new UsageError(
      `--sizes must be whole numbers from 1 to 10000 separated by commas, got '${values.sizes}'`,
    );
  }
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be a whole number, got '${values.seed}'`);
  return {
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    quick: values.quick,
    seed,
    full: values.full,
    scale: values.quick ? QUICK_SCALE : 1,
  };
}

class UsageError extends Error {}

type Options = ReturnType<typeof parseCli>;

// ----- small helpers

const benchStart = Date.now();
const elapsed = () => `${((Date.now() - benchStart) / 1000).toFixed(1)}s`;
const say = (line: string) => console.log(`[bench ${elapsed()}] ${line}`);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const mean = (values: number[]) => (values.length === 0 ? Number.NaN : sum(values) / values.length);
/** Math.min/max without spreading (the call list can hold tens of thousands of entries). */
const minOf = (values: number[]) => values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
const maxOf = (values: number[]) => values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
const round = (value: number, digits = 0) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** List scheduling in plan order: each job takes the slot that frees first; returns the makespan. */
function listScheduleMakespan(durations: number[], slots: number): number {
  const free = new Array<number>(Math.max(1, Math.min(slots, durations.length))).fill(0);
  let makespan = 0;
  for (const duration of durations) {
    let slot = 0;
    for (let i = 1; i < free.length; i++) if ((free[i] as number) < (free[slot] as number)) slot = i;
    free[slot] = (free[slot] as number) + duration;
    makespan = Math.max(makespan, free[slot] as number);
  }
  return makespan;
}

interface Sweep {
  n: number;
  /** When its first List call arrived at the emulator. */
  startedAt: number;
  list: number;
  describe: number;
}

const LIST_OPERATIONS = new Set(['ListCompilationJobs', 'ListOptimizationJobs']);
const DESCRIBE_OPERATIONS = new Set(['DescribeCompilationJob', 'DescribeOptimizationJob']);

/**
 * Status sweeps as the emulator saw them (the action prints no counters of its own): a sweep is a burst of List
 * calls, each within half a poll interval of the burst's first one; the Describe calls that follow, up to the next
 * burst, belong to it. Describe calls before the first List are the start's adoption look-ups, not a sweep.
 */
export function sweepsFromCalls(calls: RecordedCall[], pollMs: number): Sweep[] {
  const sweeps: Sweep[] = [];
  const ordered = calls
    .filter((call) => call.service === 'sagemaker')
    .filter((call) => LIST_OPERATIONS.has(call.operation) || DESCRIBE_OPERATIONS.has(call.operation))
    .sort((a, b) => a.time - b.time);
  for (const call of ordered) {
    const current = sweeps.at(-1);
    if (LIST_OPERATIONS.has(call.operation)) {
      if (current && call.time - current.startedAt < pollMs / 2 && current.describe === 0) current.list++;
      else sweeps.push({ n: sweeps.length + 1, startedAt: call.time, list: 1, describe: 0 });
    } else if (current) current.describe++;
  }
  return sweeps;
}

const git = (...args: string[]) => {
  const out = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : undefined;
};

/** Newest modification time of the files under `dir` (recursive). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

// ----- the scenario

/** One output prefix per target (\${target}): targets sharing a device must not overwrite each other's artifact. */
function neoYaml(durations: JobDuration[]): string {
  const targets = durations
    .map((d, i) => `  - name: ${d.target}\n    device: ${DEVICES[i % DEVICES.length]}\n`)
    .join('');
  return `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
job-prefix: ${JOB_PREFIX}
input:
  s3-uri: s3://${MODEL_BUCKET}/${MODEL_KEY}
  framework: PYTORCH
  framework-version: "2.0"
  data-input-config: {input0: [1, 3, 224, 224]}
output:
  s3-location: s3://artifacts/${JOB_PREFIX}/\${target}/
targets:
${targets}`;
}

/** Per job on an emulator: when it became terminal and when the first Describe at or after that arrived. */
interface JobTimeline {
  target: string;
  jobName: string;
  status: string;
  createdAt: number;
  terminalAt: number;
  /** First DescribeCompilationJob of this job received at or after terminalAt (undefined: never). */
  detectedAt?: number;
  nominalMs: number;
}

interface EmulatorAnalysis {
  calls: RecordedCall[];
  firstRequestAt: number;
  firstCreateAt: number;
  jobs: JobTimeline[];
  /** by operation, then HTTP status (0 = connection dropped) */
  callsByOperation: Record<string, Record<string, number>>;
  /** S3 and GitHub requests, "<service> <operation> <status>" -> count. */
  otherCalls: Record<string, number>;
  /** First request of any service (S3 checks of the model may come before SageMaker). */
  firstAnyRequestAt: number;
}

function analyseEmulator(emulator: Emulator, durations: Map<string, JobDuration>): EmulatorAnalysis {
  const calls = emulator.calls.filter((call) => call.service === 'sagemaker');
  const describes = new Map<string, number[]>();
  const callsByOperation: Record<string, Record<string, number>> = {};
  for (const call of calls) {
    const byStatus = callsByOperation[call.operation] ?? {};
    byStatus[String(call.status)] = (byStatus[String(call.status)] ?? 0) + 1;
    callsByOperation[call.operation] = byStatus;
    if (call.operation !== 'DescribeCompilationJob') continue;
    const name = (call.body as { CompilationJobName?: unknown } | undefined)?.CompilationJobName;
    if (typeof name !== 'string') continue;
    describes.set(name, [...(describes.get(name) ?? []), call.time]);
  }
  const jobs = emulator.sagemaker.jobs().map((job): JobTimeline => {
    const terminal = job.history.find((h) => TERMINAL_STATUSES.has(h.status));
    const terminalAt = terminal?.time ?? Number.NaN;
    const target = targetOfJobName(job.name) ?? job.name;
    const d = durations.get(target);
    return {
      target,
      jobName: job.name,
      status: job.status,
      createdAt: job.creationTime,
      terminalAt,
      detectedAt: (describes.get(job.name) ?? []).filter((t) => t >= terminalAt).sort((a, b) => a - b)[0],
      nominalMs: d ? totalMs(d) : Number.NaN,
    };
  });
  const creates = calls.filter((call) => call.operation === 'CreateCompilationJob');
  const otherCalls: Record<string, number> = {};
  for (const call of emulator.calls) {
    if (call.service === 'sagemaker') continue;
    const key = `${call.service} ${call.operation} ${call.status}`;
    otherCalls[key] = (otherCalls[key] ?? 0) + 1;
  }
  return {
    otherCalls,
    firstAnyRequestAt: minOf(emulator.calls.map((call) => call.time)),
    calls,
    firstRequestAt: minOf(calls.map((call) => call.time)),
    firstCreateAt: minOf(creates.map((call) => call.time)),
    jobs,
    callsByOperation,
  };
}

function detectionStats(jobs: JobTimeline[]) {
  const latencies = jobs
    .filter((job) => job.detectedAt !== undefined)
    .map((job) => (job.detectedAt as number) - job.terminalAt);
  return {
    jobs: latencies.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    maxMs: maxOf(latencies),
    meanMs: round(mean(latencies), 1),
  };
}

/** How much later than nominal the emulator ended jobs (timer lateness: a load indicator for the machine). */
function emulatorDrift(jobs: JobTimeline[]) {
  const late = jobs.map((job) => job.terminalAt - job.createdAt - job.nominalMs);
  return { meanLateMs: round(mean(late), 1), maxLateMs: maxOf(late) };
}

// ----- one measured action run

const ACTION_INPUTS = {
  config: 'neo.yml',
  'poll-interval': String(POLL_MS / 1000),
  'max-concurrency': String(MAX_CONCURRENCY),
  comment: 'false',
  'github-token': 'ghs_bench',
};

async function measureAction(n: number, durations: JobDuration[]) {
  const byTarget = new Map(durations.map((d) => [d.target, d]));
  const emulator = await startBenchEmulator(durations, QUOTA);
  const workspace = createWorkspace({ 'neo.yml': neoYaml(durations) }, pullRequestEvent(REPOSITORY, 7));
  let pid: number | undefined;
  /** VmHWM of the action, sampled while it runs (the last sample before exit is within one period of the peak). */
  let sampledRss: number | undefined;
  const ended = () => emulator.sagemaker.jobs().filter((job) => TERMINAL_STATUSES.has(job.status)).length;
  const progress = setInterval(() => {
    say(`N=${n} action: ${ended()}/${n} jobs ended in the emulator`);
  }, 5000);
  const rssSampler = setInterval(() => {
    sampledRss = peakRssOf(pid) ?? sampledRss;
  }, 100);
  try {
    say(`N=${n} action: starting dist/index.js (${n} targets, quota ${QUOTA}, poll ${POLL_MS} ms)`);
    const spawnAt = Date.now();
    const run = await runAction(workspace, {
      inputs: ACTION_INPUTS,
      env: { ...emulator.env, GITHUB_REPOSITORY: REPOSITORY },
      onSpawn: (child) => {
        pid = child.pid;
      },
    });
    const analysis = analyseEmulator(emulator, byTarget);
    const errors: string[] = [];
    if (run.code !== 0) {
      const annotations = run.stdout
        .match(/^::error[^\n]*$/gm)
        ?.slice(0, 4)
        .join(' | ');
      const why = annotations ?? run.stderr.trim().split('\n').at(-1) ?? '';
      errors.push(`action exited with code ${run.code ?? run.signal}: ${why}`);
    }
    if (run.outputs.status !== 'succeeded') errors.push(`action status output '${run.outputs.status}'`);
    const completed = analysis.jobs.filter((job) => job.status === 'COMPLETED');
    if (completed.length !== n) errors.push(`${completed.length} of ${n} jobs COMPLETED in the emulator`);
    const undetected = analysis.jobs.filter((job) => job.detectedAt === undefined);
    if (undetected.length > 0)
      errors.push(`${undetected.length} job(s) never described after they ended (${undetected[0]?.jobName})`);

    const sweeps = sweepsFromCalls(emulator.calls, POLL_MS);
    const quiet = sweeps.filter((s) => s.describe === 0);
    const periods = sweeps.slice(1).map((sweep, i) => sweep.startedAt - (sweeps[i] as Sweep).startedAt);
    const createCalls = Object.values(analysis.callsByOperation.CreateCompilationJob ?? {});
    const rss = /^::debug::peak RSS (\d+) MiB/m.exec(run.stdout);
    const lastDetection = maxOf(analysis.jobs.map((job) => job.detectedAt ?? Number.NaN));
    // The exact requests the action sent (first accepted Create per target), for the baseline.
    const requests = new Map<string, CreateCompilationJobRequest>();
    for (const call of analysis.calls) {
      if (call.operation !== 'CreateCompilationJob' || call.status !== 200) continue;
      const body = call.body as CreateCompilationJobRequest;
      const target = targetOfJobName(body.CompilationJobName ?? '');
      if (target && !requests.has(target)) requests.set(target, body);
    }
    say(
      `N=${n} action: exit ${run.code}, ${(run.wallMs / 1000).toFixed(2)} s process, ` +
        `${((lastDetection - analysis.firstCreateAt) / 1000).toFixed(2)} s makespan, ${sweeps.length} sweeps`,
    );
    return {
      errors,
      requests: durations.map((d) => requests.get(d.target)),
      result: {
        exitCode: run.code,
        signal: run.signal,
        status: run.outputs.status ?? null,
        /** (a) spawn to exit, as runAction measures it. */
        wallProcessMs: run.wallMs,
        /** (b) first CreateCompilationJob received to last terminal Describe received. */
        makespanMs: lastDetection - analysis.firstCreateAt,
        /** From Date.now() just before runAction (spawn) to the first SageMaker request received. */
        startToFirstRequestMs: analysis.firstRequestAt - spawnAt,
        startToFirstCreateMs: analysis.firstCreateAt - spawnAt,
        startToFirstAnyRequestMs: analysis.firstAnyRequestAt - spawnAt,
        otherCalls: analysis.otherCalls,
        /**
         * VmHWM of the action's process, sampled from outside. Not the action's own `peak RSS` debug line:
         * getrusage's maxrss survives exec on Linux, so a child spawned by this (large) bench process starts
         * with the bench's high-water mark; VmHWM belongs to the new address space only.
         */
        peakRssMiB: sampledRss ?? (rss ? Number(rss[1]) : null),
        /** CreateCompilationJob requests (any status) per job created; 1.0 = no rejected attempt. */
        createsPerJob: round(sum(createCalls) / n, 2),
        callsByOperation: analysis.callsByOperation,
        sweeps: {
          count: sweeps.length,
          listMean: round(mean(sweeps.map((s) => s.list)), 3),
          listMax: Math.max(0, ...sweeps.map((s) => s.list)),
          quietCount: quiet.length,
          listMaxQuiet: quiet.length > 0 ? Math.max(...quiet.map((s) => s.list)) : null,
          describeTotal: sum(sweeps.map((s) => s.describe)),
          listTotal: sum(sweeps.map((s) => s.list)),
          periodMaxMs: maxOf(periods),
          /** Time between two sweep lines as they arrived: poll interval + submit + sweep work. */
          periodMeanMs: round(mean(periods), 1),
          periodP95Ms: percentile(periods, 95),
          all: sweeps,
        },
        detection: detectionStats(analysis.jobs),
        emulatorDrift: emulatorDrift(analysis.jobs),
        peakConcurrency: emulator.sagemaker.peakConcurrency('compilation'),
        jobs: analysis.jobs.map((job) => ({
          target: job.target,
          jobName: job.jobName,
          status: job.status,
          createdMs: job.createdAt - analysis.firstCreateAt,
          terminalMs: job.terminalAt - analysis.firstCreateAt,
          detectedMs: job.detectedAt === undefined ? null : job.detectedAt - analysis.firstCreateAt,
        })),
        stderrTail: run.stderr.trim().split('\n').slice(-5).join('\n'),
      },
    };
  } finally {
    clearInterval(progress);
    clearInterval(rssSampler);
    await emulator.close();
    rmSync(workspace.dir, { recursive: true, force: true });
  }
}

// ----- one measured baseline run

async function measureBaseline(n: number, durations: JobDuration[], requests: CreateCompilationJobRequest[]) {
  const byTarget = new Map(durations.map((d) => [d.target, d]));
  const emulator = await startBenchEmulator(durations, QUOTA);
  const expectedMs = sum(durations.map(totalMs));
  let done = 0;
  const progress = setInterval(() => {
    say(
      `N=${n} baseline: ${done}/${n} jobs done (at least ${(expectedMs / 60_000).toFixed(1)} min of jobs in all)`,
    );
  }, 10_000);
  try {
    say(`N=${n} baseline: ${n} jobs one after another (wait_for_compilation_job, poll ${POLL_MS} ms)`);
    const run: BaselineRun = await runBaseline(emulator, requests, POLL_MS, (count) => {
      done = count;
    });
    const analysis = analyseEmulator(emulator, byTarget);
    const lastDetection = maxOf(analysis.jobs.map((job) => job.detectedAt ?? Number.NaN));
    const makespanMs = lastDetection - analysis.firstCreateAt;
    const errors: string[] = [];
    const notCompleted = run.jobs.filter((job) => job.status !== 'COMPLETED');
    if (notCompleted.length > 0) errors.push(`baseline: ${notCompleted.length} job(s) did not complete`);
    say(`N=${n} baseline: ${(makespanMs / 1000).toFixed(2)} s makespan`);
    return {
      errors,
      result: {
        ran: true as const,
        /** (a) for the baseline: client created to last job seen terminal (in-process: no spawn). */
        wallMs: run.endedAt - run.startedAt,
        /** (b) first Create received to last terminal Describe received. */
        makespanMs,
        sumOfDurationsMs: expectedMs,
        /** Time per job beyond its own duration: (makespan - sum of durations) / N. */
        perJobOverheadMs: round((makespanMs - expectedMs) / n, 1),
        callsByOperation: analysis.callsByOperation,
        detection: detectionStats(analysis.jobs),
        emulatorDrift: emulatorDrift(analysis.jobs),
      },
    };
  } finally {
    clearInterval(progress);
    await emulator.close();
  }
}

// ----- the whole benchmark

type ActionResult = Awaited<ReturnType<typeof measureAction>>['result'];
type BaselineResult =
  | Awaited<ReturnType<typeof measureBaseline>>['result']
  | {
      ran: false;
      reason: string;
      /** ESTIMATE, not a measurement. */
      estimateMs: number | null;
      estimateMethod: string;
    };

interface SizeResult {
  n: number;
  durations: { sumMs: number; longestMs: number; meanMs: number; perJob: JobDuration[] };
  ideal: { listScheduleMs: number; lowerBoundMs: number };
  action: ActionResult;
  startup: StartupMeasure;
  baseline: BaselineResult;
  ratios: {
    makespanToIdeal: number;
    processToIdeal: number;
    makespanToLowerBound: number;
    speedupMakespan: number | null;
    speedupProcess: number | null;
    speedupIsEstimate: boolean;
  };
  errors: string[];
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (!existsSync(ACTION_ENTRY)) {
    console.error(`${path.relative(ROOT, ACTION_ENTRY)} is missing: run \`npm run build\` first.`);
    return 1;
  }
  const distMtime = statSync(ACTION_ENTRY).mtimeMs;
  const srcMtime = newestMtime(path.join(ROOT, 'src'));
  const stale = srcMtime > distMtime;
  if (stale)
    say('warning: src/ has files newer than dist/index.js; the benchmark runs dist/ (npm run build)');
  const bundle = readFileSync(ACTION_ENTRY);
  const bundleHash = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  const bundleInfo = { bytes: bundle.length, gzipBytes: gzipSync(bundle).length, sha256: bundleHash(bundle) };
  // Read now: the code measured is the code at the start (others may commit or rebuild while this runs).
  const bundleHashNow = () => (existsSync(ACTION_ENTRY) ? bundleHash(readFileSync(ACTION_ENTRY)) : 'missing');
  /** First N whose action run ended with a dist/index.js other than the one measured at the start. */
  let distChangedAtN: number | null = null;
  const gitInfo = {
    commit: git('rev-parse', 'HEAD') ?? null,
    dirty: (git('status', '--porcelain') ?? '') !== '',
  };

  const minMs = DURATION_MIN_MS * options.scale;
  const maxMs = DURATION_MAX_MS * options.scale;
  const all = drawDurations(Math.max(...options.sizes), options.seed, minMs, maxMs);
  say(
    `sizes ${options.sizes.join(', ')}; job durations ${minMs}-${maxMs} ms (seed ${options.seed}); ` +
      `quota ${QUOTA}; poll ${POLL_MS} ms; baseline up to N=${options.full ? 'all' : BASELINE_MAX_N}`,
  );

  const results: SizeResult[] = [];
  for (const n of options.sizes) {
    const durations = all.slice(0, n);
    const totals = durations.map(totalMs);
    const ideal = {
      listScheduleMs: listScheduleMakespan(totals, Math.min(QUOTA, MAX_CONCURRENCY)),
      lowerBoundMs: Math.max(Math.max(...totals), Math.ceil(sum(totals) / Math.min(QUOTA, MAX_CONCURRENCY))),
    };
    say(
      `N=${n}: ideal makespan ${(ideal.listScheduleMs / 1000).toFixed(2)} s (lower bound ${(ideal.lowerBoundMs / 1000).toFixed(2)} s)`,
    );
    const measured = await measureAction(n, durations);
    // Only the action runs use dist/: a rebuild by someone else after the last of them changes nothing here.
    if (distChangedAtN === null && bundleHashNow() !== bundleInfo.sha256) {
      distChangedAtN = n;
      say(
        `warning: dist/index.js was rebuilt by the end of the N=${n} action run; it may have run another build`,
      );
    }
    say(`N=${n} start-up: ${STARTUP_RUNS} short runs, each stopped at its first create`);
    const startup = await measureStartups(
      neoYaml(durations),
      durations,
      QUOTA,
      {
        repository: REPOSITORY,
        inputs: ACTION_INPUTS,
      },
      STARTUP_RUNS,
    );
    say(
      `N=${n} start-up: first SageMaker request ${startup.samples.map((sample) => sample.firstSageMakerMs).join(', ')} ms (median ${startup.medianFirstSageMakerMs})`,
    );
    const errors = [...measured.errors];
    let baseline: BaselineResult;
    const missing = measured.requests.filter((r) => r === undefined).length;
    if (n > BASELINE_MAX_N && !options.full) {
      baseline = {
        ran: false,
        reason: `N > ${BASELINE_MAX_N} without --full`,
        estimateMs: null,
        estimateMethod: '',
      };
    } else if (missing > 0) {
      baseline = {
        ran: false,
        reason: `the action created only ${n - missing} of ${n} jobs, so their requests are unknown`,
        estimateMs: null,
        estimateMethod: '',
      };
    } else {
      try {
        const b = await measureBaseline(n, durations, measured.requests as CreateCompilationJobRequest[]);
        errors.push(...b.errors);
        baseline = b.result;
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        errors.push(`baseline failed: ${message}`);
        baseline = { ran: false, reason: `failed (${message})`, estimateMs: null, estimateMethod: '' };
      }
    }
    for (const error of errors) say(`ERROR N=${n}: ${error}`);
    const a = measured.result;
    results.push({
      n,
      durations: {
        sumMs: sum(totals),
        longestMs: Math.max(...totals),
        meanMs: round(mean(totals), 1),
        perJob: durations,
      },
      ideal,
      action: a,
      startup,
      baseline,
      ratios: {
        makespanToIdeal: round(a.makespanMs / ideal.listScheduleMs, 4),
        processToIdeal: round(a.wallProcessMs / ideal.listScheduleMs, 4),
        makespanToLowerBound: round(a.makespanMs / ideal.lowerBoundMs, 4),
        speedupMakespan: baseline.ran ? round(baseline.makespanMs / a.makespanMs, 2) : null,
        speedupProcess: baseline.ran ? round(baseline.wallMs / a.wallProcessMs, 2) : null,
        speedupIsEstimate: false,
      },
      errors,
    });
  }
  fillBaselineEstimates(results);
  // Everything the action does with neo.yml before its first AWS call, in this process (no emulator, no spawn).
  const validation = VALIDATION_SIZES.map((n) => timeValidation(n));
  for (const v of validation) {
    say(
      `validation of ${v.targets} targets: ${v.validateMs.toFixed(0)} ms read + checked, ${v.planMs.toFixed(0)} ms planned`,
    );
  }

  say('model preflight: a 100 MB model in S3, preflight off, on, and on again (facts kept under history:)');
  const preflight = await measurePreflight();
  for (const [name, run] of Object.entries(preflight.runs)) {
    say(
      `preflight ${name}: ${run.wallMs} ms process, ${run.startToFirstCreateMs} ms to the first create, peak RSS ${run.peakRssMiB} MiB, ${run.modelReads} model read(s)`,
    );
  }

  const report = {
    generatedAt: new Date().toISOString(),
    command: commandLine(),
    machine: machine(),
    git: gitInfo,
    distStale: stale,
    distChangedAtN,
    scenario: {
      sizes: options.sizes,
      seed: options.seed,
      quick: options.quick,
      full: options.full,
      durationScale: options.scale,
      durationRangeMs: [minMs, maxMs],
      startingShare: STARTING_SHARE,
      quota: QUOTA,
      pollIntervalMs: POLL_MS,
      maxConcurrency: MAX_CONCURRENCY,
      comment: false,
      event: 'pull_request (PR #7), comment: false',
      baselineMaxN: options.full ? null : BASELINE_MAX_N,
    },
    bundle: bundleInfo,
    results,
    validation,
    preflight,
    goals: evaluateGoals(results, validation, preflight),
  };
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(REPORT_FILE, renderMarkdown(report));
  printSummary(report);
  say(`wrote ${path.relative(ROOT, REPORT_FILE)} and ${path.relative(ROOT, RESULTS_FILE)}`);
  const failed = results.filter((r) => r.errors.length > 0);
  if (failed.length > 0) {
    say(`FAILED: errors at N=${failed.map((r) => r.n).join(', ')} (see above and bench/results.json)`);
    return 1;
  }
  return 0;
}

/**
 * N without a measured baseline: estimate = sum of the N job durations + N x the per-job overhead measured by the
 * largest baseline that ran. Without any: each job is seen at the first poll after it ends (ceil(d/poll)*poll).
 */
function fillBaselineEstimates(results: SizeResult[]): void {
  const reference = results.filter((r) => r.baseline.ran).at(-1);
  for (const r of results) {
    if (r.baseline.ran) continue;
    const sumMs = r.durations.sumMs;
    if (reference?.baseline.ran) {
      const overhead = reference.baseline.perJobOverheadMs;
      r.baseline.estimateMs = Math.round(sumMs + r.n * overhead);
      r.baseline.estimateMethod = `sum of the ${r.n} durations + ${r.n} x ${overhead} ms per-job overhead measured at N=${reference.n}`;
    } else {
      r.baseline.estimateMs = sum(r.durations.perJob.map((d) => Math.ceil(totalMs(d) / POLL_MS) * POLL_MS));
      r.baseline.estimateMethod = `model, no baseline measured: sum of ceil(duration / ${POLL_MS} ms) x ${POLL_MS} ms`;
    }
    r.ratios.speedupMakespan = round(r.baseline.estimateMs / r.action.makespanMs, 2);
    r.ratios.speedupIsEstimate = true;
  }
}

// ----- goals

type GoalResult = { goal: string; n: number | null; target: string; measured: string; verdict: string };

function evaluateGoals(
  results: SizeResult[],
  validation: ValidationTiming[] = [],
  preflight?: PreflightBench,
): GoalResult[] {
  const goals: GoalResult[] = [];
  if (preflight) {
    const { off, first, cached } = preflight.runs;
    const grew = (first.peakRssMiB ?? Number.NaN) - (off.peakRssMiB ?? Number.NaN);
    goals.push({
      goal: 'model preflight of a 100 MB model in S3: peak RSS vs preflight off',
      n: null,
      target: '<= +20 MiB',
      measured: `${off.peakRssMiB} -> ${first.peakRssMiB} MiB (+${grew}); +${first.startToFirstCreateMs - off.startToFirstCreateMs} ms before the first create; ${first.modelReads} read`,
      verdict: grew <= 20 ? 'met' : 'NOT MET',
    });
    goals.push({
      goal: 'model preflight on a re-run (facts kept under history:)',
      n: null,
      target: 'no model read',
      measured: `${cached.modelReads} read(s); +${cached.startToFirstCreateMs - off.startToFirstCreateMs} ms before the first create`,
      verdict: cached.modelReads === 0 ? 'met' : 'NOT MET',
    });
  }
  for (const v of validation) {
    goals.push({
      goal: 'validating neo.yml (read, check, plan)',
      n: v.targets,
      target: v.targets >= 10_000 ? '<= 1000 ms' : 'measured',
      measured: `${Math.round(v.validateMs + v.planMs)} ms${v.errors > 0 ? ` (${v.errors} error: over the target cap, every target still checked)` : ''}`,
      verdict: v.targets >= 10_000 ? (v.validateMs + v.planMs <= 1000 ? 'met' : 'NOT MET') : 'measured',
    });
  }
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
  // A size whose run failed has no valid measure: never let a NaN or an infinity pass for "met".
  const failed = new Set(results.filter((r) => r.errors.length > 0).map((r) => r.n));
  const judged = (r: SizeResult, ok: boolean) => (failed.has(r.n) ? 'ERROR (run failed)' : verdict(ok));
  for (const r of results) {
    const bound = r.n <= 100 ? 1.05 : 1.1;
    goals.push({
      goal: 'makespan (b) / ideal',
      n: r.n,
      target: `<= ${bound.toFixed(2)}`,
      measured: `${r.ratios.makespanToIdeal.toFixed(3)} ((a): ${r.ratios.processToIdeal.toFixed(3)})`,
      verdict: judged(r, r.ratios.makespanToIdeal <= bound),
    });
  }
  for (const r of results) {
    const bound = Math.ceil(r.n / 100) + 1;
    const quietMax = r.action.sweeps.listMaxQuiet;
    goals.push({
      goal: 'List calls per sweep while nothing changes (D = 0)',
      n: r.n,
      target: `<= ${bound}`,
      measured:
        quietMax === null ? 'no quiet sweep' : `max ${quietMax} over ${r.action.sweeps.quietCount} sweeps`,
      verdict: quietMax === null ? 'not measured' : judged(r, quietMax <= bound),
    });
  }
  for (const r of results) {
    const { startup } = r;
    const goal = r.n <= STARTUP_GOAL_MAX_N;
    goals.push({
      goal: 'process start to first SageMaker request',
      n: r.n,
      target: goal ? '<= 300 ms' : 'measured',
      measured:
        `median ${msText(startup.medianFirstSageMakerMs)} of ${startup.samples.length} starts ` +
        `(${msText(startup.minFirstSageMakerMs)}-${msText(startup.maxFirstSageMakerMs)}); full run ${msText(r.action.startToFirstRequestMs)}`,
      verdict: goal ? judged(r, startup.medianFirstSageMakerMs <= 300) : 'measured',
    });
  }
  const at500 = results.find((r) => r.n === 500);
  const largest = results.at(-1);
  if (at500 && at500.action.peakRssMiB !== null) {
    const mb = at500.action.peakRssMiB * 1.048576;
    goals.push({
      goal: 'peak RSS of the action',
      n: 500,
      target: '<= 150 MB',
      measured: `${at500.action.peakRssMiB} MiB = ${mb.toFixed(0)} MB`,
      verdict: judged(at500, mb <= 150),
    });
  } else {
    goals.push({
      goal: 'peak RSS of the action',
      n: 500,
      target: '<= 150 MB',
      measured: `N=500 not run${largest ? `; ${largest.action.peakRssMiB ?? '?'} MiB at N=${largest.n}` : ''}`,
      verdict: 'not measured',
    });
  }
  const at2000 = results.find((r) => r.n === 2000);
  goals.push({
    goal: 'peak RSS of the action',
    n: 2000,
    target: '<= 250 MiB',
    measured:
      at2000 && at2000.action.peakRssMiB !== null ? `${at2000.action.peakRssMiB} MiB` : 'N=2000 not run',
    verdict:
      at2000 && at2000.action.peakRssMiB !== null
        ? judged(at2000, at2000.action.peakRssMiB <= 250)
        : 'not measured',
  });
  return goals;
}

// ----- reporting

type Report = {
  generatedAt: string;
  command: string;
  machine: ReturnType<typeof machine>;
  git: { commit: string | null; dirty: boolean };
  distStale: boolean;
  distChangedAtN: number | null;
  scenario: Record<string, unknown> & { quick: boolean; seed: number; durationRangeMs: number[] };
  bundle: { bytes: number; gzipBytes: number; sha256: string };
  results: SizeResult[];
  validation?: ValidationTiming[];
  preflight?: PreflightBench;
  goals: GoalResult[];
};

function commandLine(): string {
  const args = process.argv.slice(2);
  return ['node scripts/bench.ts', ...args].join(' ');
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtEnd: os.loadavg().map((v) => round(v, 2)),
  };
}

const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '-');
const msText = (ms: number) => (Number.isFinite(ms) ? `${Math.round(ms)} ms` : '-');
const table = (head: string[], rows: (string | number)[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

function baselineCells(r: SizeResult): { makespan: string; wall: string; overhead: string } {
  if (r.baseline.ran)
    return {
      makespan: s(r.baseline.makespanMs),
      wall: s(r.baseline.wallMs),
      overhead: msText(r.baseline.perJobOverheadMs),
    };
  const estimate = r.baseline.estimateMs === null ? '' : ` (ESTIMATE ~${s(r.baseline.estimateMs)})`;
  return { makespan: `not run${estimate}`, wall: 'not run', overhead: '-' };
}

function renderMarkdown(report: Report): string {
  const { results, machine: m, scenario } = report;
  const [minMs, maxMs] = scenario.durationRangeMs as [number, number];
  const out: string[] = [];
  out.push('# Benchmarks');
  out.push('');
  out.push(
    'Generated by `scripts/bench.ts` (`npm run bench`). It runs the built action `dist/index.js` as the runner does ' +
      '(`emulator/run-action.ts`) against a fresh local emulator per N (SageMaker JSON 1.1 over real HTTP, the real ' +
      'AWS SDK in the action), and, on a second fresh emulator, the same jobs through a sequential baseline. Raw ' +
      'numbers: `bench/results.json`.',
  );
  if (scenario.quick)
    out.push(
      '',
      `> **Quick smoke run** (\`--quick\`): job durations scaled x${QUICK_SCALE}; not a result to quote.`,
    );
  if (report.distStale)
    out.push(
      '',
      '> **Warning:** `src/` had files newer than `dist/index.js` when this ran; rebuild and re-run.',
    );
  if (report.distChangedAtN !== null)
    out.push(
      '',
      `> **Warning:** \`dist/index.js\` was rebuilt while this ran (noticed after the N=${report.distChangedAtN} action run): that size may have run another build, and the larger sizes did.`,
    );
  out.push('');
  out.push('## Run');
  out.push('');
  out.push(`- Command: \`${report.command}\``);
  out.push(`- Date: ${report.generatedAt}`);
  out.push(
    `- Machine: ${m.cpu}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB RAM, ${m.os}; Node ${m.node}; load average at the end ${m.loadAverageAtEnd.join(' / ')}`,
  );
  out.push(
    `- Code at the start: ${report.git.commit ?? 'unknown commit'}${report.git.dirty ? ' (with uncommitted changes)' : ''}`,
  );
  out.push(
    `- Bundle \`dist/index.js\`: ${report.bundle.bytes.toLocaleString('en-US')} bytes, ${report.bundle.gzipBytes.toLocaleString('en-US')} bytes gzipped, sha256 \`${report.bundle.sha256.slice(0, 16)}\``,
  );
  out.push('');
  out.push('## Scenario');
  out.push('');
  out.push(
    `- N targets \`t0..t(N-1)\` (job names \`${JOB_PREFIX}-tI-<hash>\`), devices rotating over ${DEVICES.length} kinds; model object at \`s3://${MODEL_BUCKET}/${MODEL_KEY}\`.`,
  );
  out.push(
    `- Job durations uniform in [${minMs}, ${maxMs}] ms from mulberry32(seed ${scenario.seed}), the same sequence for every N (the N=10 jobs are the first 10 of N=100); ${STARTING_SHARE * 100}% STARTING, the rest INPROGRESS, set per job with the emulator's \`timingFor\`.`,
  );
  out.push(
    `- Account quota K = ${QUOTA} concurrent compilation jobs (emulator \`sagemaker.quota\`); \`max-concurrency: ${MAX_CONCURRENCY}\` so the quota is what binds; \`poll-interval: ${POLL_MS / 1000}\`.`,
  );
  out.push(
    '- Event: a `pull_request` (PR #7) with `comment: false`: no GitHub calls, the measure is the SageMaker orchestration.',
  );
  out.push(
    `- Baseline: what the SageMaker Python SDK's \`wait_for_compilation_job\` does, target after target: CreateCompilationJob, then loop { sleep(${POLL_MS} ms); DescribeCompilationJob } until terminal; same requests as the action sent, real \`@aws-sdk/client-sagemaker\`, fresh emulator with the same durations. Run for N <= ${BASELINE_MAX_N} unless \`--full\`; above, an ESTIMATE (labelled) from the measured per-job overhead.`,
  );
  out.push('');
  out.push('## Goals');
  out.push('');
  out.push(
    table(
      ['Goal', 'N', 'Target', 'Measured', 'Result'],
      report.goals.map((g) => [g.goal, g.n ?? '-', g.target, g.measured, g.verdict]),
    ),
  );
  out.push('');
  out.push('## Wall time and makespan');
  out.push('');
  out.push(
    'Ideal = list scheduling of the same durations in plan order on K slots (no polling, no request time); lower bound = max(longest job, sum / K). ' +
      '(a) = action process, spawn to exit. (b) = makespan as the action sees it: first CreateCompilationJob received to the last terminal DescribeCompilationJob received. The goal is judged on (b).',
  );
  out.push('');
  out.push(
    table(
      [
        'N',
        'sum of durations',
        'ideal',
        'lower bound',
        '(b) makespan',
        '(b) / ideal',
        '(a) process',
        '(a) / ideal',
        '(b) / lower bound',
      ],
      results.map((r) => [
        r.n,
        s(r.durations.sumMs),
        s(r.ideal.listScheduleMs),
        s(r.ideal.lowerBoundMs),
        s(r.action.makespanMs),
        r.ratios.makespanToIdeal.toFixed(3),
        s(r.action.wallProcessMs),
        r.ratios.processToIdeal.toFixed(3),
        r.ratios.makespanToLowerBound.toFixed(3),
      ]),
    ),
  );
  out.push('');
  out.push('## Versus the sequential baseline');
  out.push('');
  out.push(
    'Speed-up = baseline / action, (b) against (b) and process against process (the baseline runs in the bench process, so its "process" time has no spawn).',
  );
  out.push('');
  out.push(
    table(
      [
        'N',
        'baseline (b)',
        'baseline total',
        'baseline overhead per job',
        'action (b)',
        'speed-up (b)',
        'speed-up (total)',
      ],
      results.map((r) => {
        const b = baselineCells(r);
        const speedup =
          r.ratios.speedupMakespan === null
            ? '-'
            : `${r.ratios.speedupMakespan.toFixed(1)}x${r.ratios.speedupIsEstimate ? ' (ESTIMATE)' : ''}`;
        return [
          r.n,
          b.makespan,
          b.wall,
          b.overhead,
          s(r.action.makespanMs),
          speedup,
          r.ratios.speedupProcess === null ? '-' : `${r.ratios.speedupProcess.toFixed(1)}x`,
        ];
      }),
    ),
  );
  const estimated = results.filter((r) => !r.baseline.ran);
  for (const r of estimated) {
    if (r.baseline.ran) continue;
    out.push(
      '',
      `- N=${r.n}: baseline not run (${r.baseline.reason}); ESTIMATE = ${r.baseline.estimateMethod}.`,
    );
  }
  out.push('');
  out.push('## SageMaker API calls');
  out.push('');
  out.push(
    'Every request the emulator answered, by operation and HTTP status (400 on CreateCompilationJob = ResourceLimitExceeded, the quota).',
  );
  out.push('');
  const rows: (string | number)[][] = [];
  for (const r of results) {
    const ops = new Set([
      ...Object.keys(r.action.callsByOperation),
      ...(r.baseline.ran ? Object.keys(r.baseline.callsByOperation) : []),
    ]);
    for (const op of [...ops].sort()) {
      const statuses = new Set([
        ...Object.keys(r.action.callsByOperation[op] ?? {}),
        ...(r.baseline.ran ? Object.keys(r.baseline.callsByOperation[op] ?? {}) : []),
      ]);
      for (const status of [...statuses].sort()) {
        rows.push([
          r.n,
          op,
          status,
          r.action.callsByOperation[op]?.[status] ?? 0,
          r.baseline.ran ? (r.baseline.callsByOperation[op]?.[status] ?? 0) : 'not run',
        ]);
      }
    }
  }
  out.push(table(['N', 'operation', 'status', 'action', 'baseline'], rows));
  out.push('');
  out.push(
    `CreateCompilationJob requests per job created by the action: ${results.map((r) => `N=${r.n}: ${r.action.createsPerJob.toFixed(2)}`).join(', ')} (the baseline: 1.00, it never meets the quota).`,
  );
  out.push('');
  out.push('Other services the action called (the baseline calls none):');
  out.push('');
  for (const r of results) {
    const other = Object.entries(r.action.otherCalls).map(([key, count]) => `${key}: ${count}`);
    out.push(`- N=${r.n}: ${other.length > 0 ? other.join(', ') : 'none'}`);
  }
  out.push('');
  out.push('## Calls per poll sweep');
  out.push('');
  out.push(
    `From the action's \`::debug::sweep <n>: <L> List, <D> Describe, ...\` lines. "Quiet" sweeps are those with D = 0 (no job ended). Period = time between two sweep lines as they reached the bench (poll interval ${POLL_MS} ms + the submit and sweep work of the tick).`,
  );
  out.push('');
  out.push(
    table(
      [
        'N',
        'sweeps',
        'List mean',
        'List max',
        'quiet sweeps',
        'List max (quiet)',
        'goal ceil(N/100)+1',
        'Describe in sweeps',
        'period mean / p95',
      ],
      results.map((r) => [
        r.n,
        r.action.sweeps.count,
        r.action.sweeps.listMean.toFixed(2),
        r.action.sweeps.listMax,
        r.action.sweeps.quietCount,
        r.action.sweeps.listMaxQuiet ?? '-',
        Math.ceil(r.n / 100) + 1,
        r.action.sweeps.describeTotal,
        `${msText(r.action.sweeps.periodMeanMs)} / ${msText(r.action.sweeps.periodP95Ms)}`,
      ]),
    ),
  );
  out.push('');
  out.push('## Detection latency');
  out.push('');
  out.push(
    "Per job: from the emulator's terminal time (job history) to the first DescribeCompilationJob for that job received at or after it.",
  );
  out.push('');
  out.push(
    table(
      ['N', 'action p50', 'action p95', 'action max', 'baseline p50', 'baseline p95'],
      results.map((r) => [
        r.n,
        msText(r.action.detection.p50Ms),
        msText(r.action.detection.p95Ms),
        msText(r.action.detection.maxMs),
        r.baseline.ran ? msText(r.baseline.detection.p50Ms) : 'not run',
        r.baseline.ran ? msText(r.baseline.detection.p95Ms) : 'not run',
      ]),
    ),
  );
  out.push('');
  out.push('## Start-up and memory');
  out.push('');
  out.push(
    `Start to first request: \`Date.now()\` just before spawning the action to the first SageMaker request received (the goal's measure). One start is one sample of a ~250 ms span that the machine's scheduling moves by tens of ms, so besides the full run each N gets ${STARTUP_RUNS} short runs on a fresh emulator (\`scripts/bench-startup.ts\`: spawned, killed at its first CreateCompilationJob); the goal is judged on their median, for N <= ${STARTUP_GOAL_MAX_N} (the sizes of issue 10's goal; N = 2000 is shown measured: reading and checking neo.yml is linear in the targets, see the validation rows). "First request, any service" is the model's HeadObject and gzip check, which precede the first SageMaker request; the model preflight then streams while the existing jobs are looked up. Peak RSS: the action process VmHWM (\`/proc/<pid>/status\`), sampled every 100 ms while it runs. The action own \`::debug::peak RSS\` line (getrusage maxrss) is not used: on Linux maxrss survives exec, so a child of the large bench process would report the bench own high-water mark.`,
  );
  out.push('');
  out.push(
    table(
      [
        'N',
        `first SageMaker request, median of ${STARTUP_RUNS} starts (range)`,
        'first request, any service (median)',
        'first Create (median)',
        'full run: first SageMaker request',
        'peak RSS',
        'peak concurrent jobs',
      ],
      results.map((r) => [
        r.n,
        `${msText(r.startup.medianFirstSageMakerMs)} (${msText(r.startup.minFirstSageMakerMs)}-${msText(r.startup.maxFirstSageMakerMs)})`,
        msText(r.startup.medianFirstAnyMs),
        msText(r.startup.medianFirstCreateMs),
        msText(r.action.startToFirstRequestMs),
        r.action.peakRssMiB === null
          ? '-'
          : `${r.action.peakRssMiB} MiB (${(r.action.peakRssMiB * 1.048576).toFixed(0)} MB)`,
        r.action.peakConcurrency,
      ]),
    ),
  );
  out.push('');
  out.push('## Machine load check');
  out.push('');
  out.push(
    "How much later than their nominal duration the emulator's timers ended the jobs (creation to terminal). Large values mean the bench process was starved of CPU and every number above is inflated.",
  );
  out.push('');
  out.push(
    table(
      ['N', 'action run: mean late', 'max late', 'baseline: mean late', 'max late'],
      results.map((r) => [
        r.n,
        msText(r.action.emulatorDrift.meanLateMs),
        msText(r.action.emulatorDrift.maxLateMs),
        r.baseline.ran ? msText(r.baseline.emulatorDrift.meanLateMs) : '-',
        r.baseline.ran ? msText(r.baseline.emulatorDrift.maxLateMs) : '-',
      ]),
    ),
  );
  const errors = results.flatMap((r) => r.errors.map((e) => `- N=${r.n}: ${e}`));
  if (errors.length > 0) out.push('', '## Errors', '', ...errors);
  out.push('');
  return out.join('\n');
}

function printSummary(report: Report): void {
  const head = [
    'N',
    'ideal',
    '(b)',
    '(b)/ideal',
    '(a)',
    '(a)/ideal',
    'baseline (b)',
    'speed-up',
    'List/sweep',
    'quiet max',
    'period',
    'Create/job',
    'detect p50/p95',
    'RSS',
    'start (median)',
  ];
  const rows = report.results.map((r) => {
    const b = baselineCells(r);
    return [
      String(r.n),
      s(r.ideal.listScheduleMs),
      s(r.action.makespanMs),
      r.ratios.makespanToIdeal.toFixed(3),
      s(r.action.wallProcessMs),
      r.ratios.processToIdeal.toFixed(3),
      r.baseline.ran
        ? b.makespan
        : r.baseline.estimateMs === null
          ? 'not run'
          : `~${s(r.baseline.estimateMs)} est.`,
      r.ratios.speedupMakespan === null
        ? '-'
        : `${r.ratios.speedupMakespan.toFixed(1)}x${r.ratios.speedupIsEstimate ? ' est.' : ''}`,
      r.action.sweeps.listMean.toFixed(2),
      String(r.action.sweeps.listMaxQuiet ?? '-'),
      msText(r.action.sweeps.periodMeanMs),
      r.action.createsPerJob.toFixed(2),
      `${msText(r.action.detection.p50Ms)}/${msText(r.action.detection.p95Ms)}`,
      r.action.peakRssMiB === null ? '-' : `${r.action.peakRssMiB} MiB`,
      msText(r.startup.medianFirstSageMakerMs),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  console.log('');
  console.log(line(head));
  for (const row of rows) console.log(line(row));
  console.log('');
  for (const g of report.goals)
    console.log(`${g.verdict.padEnd(12)} ${g.goal} (N=${g.n}): ${g.measured} [goal ${g.target}]`);
  console.log(
    `bundle dist/index.js: ${report.bundle.bytes} bytes, ${report.bundle.gzipBytes} gzipped; ${report.machine.cpu} x${report.machine.cores}, Node ${report.machine.node}`,
  );
}

process.exitCode = await main();

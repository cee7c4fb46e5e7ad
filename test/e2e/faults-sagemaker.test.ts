// Issue 10 rows 1-6 against the built dist/ on the emulator: hung calls, expired credentials, lost create
// answers, two runs of one commit, and a cancel while stops are slow.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { prepareRun, sagemakerCalls, startTestEmulator, targetsYaml } from './helpers.ts';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** Budgets scaled down (request timeout 0.6 s, stops after the timeout 0.6 s, post step 1.35 s). */
const FAST_BUDGETS = { NEO_COMPILE_ACTION_TEST_TIME_SCALE: '0.03' };
/** Old builds hang forever on a hung call: kill them so the test fails on its assertions, not its timeout. */
const killAfter = (ms: number) => (child: ChildProcess) => {
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  child.on('exit', () => clearTimeout(timer));
};
type JobOutput = { target: string; status: string; 'job-name': string; 'failure-reason': string | null };
const jobsOf = (outputs: Record<string, string>) => JSON.parse(outputs.jobs ?? '[]') as JobOutput[];

describe('row 1: a call that never answers', () => {
  it('every SageMaker call hangs: the timeout still ends the step, with outputs', async () => {
    emulator = await startTestEmulator({ sagemakerFaults: { hangRate: 1 } });
    const result = await prepareRun(emulator, targetsYaml(3)).run({
      inputs: { timeout: '1s' },
      env: FAST_BUDGETS,
      onSpawn: killAfter(14_000),
    });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.wallMs).toBeLessThan(12_000);
    expect(result.outputs.status).toBe('failed');
    expect(jobsOf(result.outputs).map((job) => job.target)).toEqual(['t0', 't1', 't2']);
    expect(emulator.calls.some((call) => call.detail === 'hung')).toBe(true);
  });

  it('creates answered, then sweeps and stops hang: ends within the timeout plus the stop budget', async () => {
    emulator = await startTestEmulator({
      sagemaker: { timing: { startingMs: 50, inProgressMs: 60_000, stoppingMs: 50 } },
    });
    const emu = emulator;
    let started = 0;
    const result = await prepareRun(emulator, targetsYaml(2)).run({
      inputs: { timeout: '2s' },
      env: FAST_BUDGETS,
      onSpawn: killAfter(14_000),
      onLine: (line) => {
        if (line.includes('-> STARTING') && ++started === 2) emu.sagemaker.faults.hangRate = 1;
      },
    });
    expect(result.signal).toBeNull();
    expect(result.wallMs).toBeLessThan(12_000);
    expect(result.code).toBe(1);
    expect(jobsOf(result.outputs)).toHaveLength(2);
    // The stops hung: the step says these jobs were NOT stopped, by name.
    expect(result.stdout).toMatch(/::error::.*NOT stopped.*t0 \(resnet50-t0-/);
  });

  it('the post step ends by itself when every call hangs', async () => {
    emulator = await startTestEmulator({
      sagemaker: { timing: { startingMs: 50, inProgressMs: 60_000, stoppingMs: 50 } },
    });
    const prepared = prepareRun(emulator, targetsYaml(2));
    let child: ChildProcess | undefined;
    let started = 0;
    await prepared.run({
      onSpawn: (spawned) => {
        child = spawned;
      },
      onLine: (line) => {
        if (line.includes('-> STARTING') && ++started === 2) child?.kill('SIGKILL');
      },
    });
    emulator.sagemaker.faults.hangRate = 1;
    const post = await prepared.run({ post: true, env: FAST_BUDGETS, onSpawn: killAfter(14_000) });
    expect(post.signal).toBeNull();
    expect(post.code).toBe(0);
    expect(post.wallMs).toBeLessThan(12_000);
    expect(post.stdout).toMatch(/::warning::Post step: out of time.*NOT stopped: resnet50-t0-/);
  });
});

describe('row 2: credentials expire mid-run', () => {
  it('fails at once, names the running jobs, says they were NOT stopped, suggests role-duration-seconds', async () => {
    emulator = await startTestEmulator({
      sagemaker: { timing: { startingMs: 50, inProgressMs: 60_000, stoppingMs: 50 } },
    });
    const emu = emulator;
    let running = 0;
    let callsAtExpiry = 0;
    const result = await prepareRun(emulator, targetsYaml(2)).run({
      inputs: { timeout: '1h' },
      onSpawn: killAfter(14_000),
      onLine: (line) => {
        if (line.includes('-> INPROGRESS') && ++running === 2) {
          callsAtExpiry = emu.calls.filter((call) => call.service === 'sagemaker').length;
          emu.sagemaker.failAuth('ExpiredTokenException');
        }
      },
    });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    const error = /::error::(.*)/.exec(result.stdout)?.[1] ?? '';
    expect(error).toMatch(/credentials expired/);
    expect(error).toMatch(/NOT stopped/);
    expect(error).toMatch(/t0 \(resnet50-t0-[^)]+\), t1 \(resnet50-t1-/);
    expect(error).toMatch(/role-duration-seconds: 4500/);
    // Fatal at once: a few calls after the first refusal, no Stop (it would be refused too), no warning flood.
    const after = emulator.calls.filter((call) => call.service === 'sagemaker').length - callsAtExpiry;
    expect(after).toBeLessThanOrEqual(4);
    expect(sagemakerCalls(emulator, 'StopCompilationJob')).toHaveLength(0);
    expect((result.stdout.match(/::warning::/g) ?? []).length).toBeLessThanOrEqual(1);
    expect(jobsOf(result.outputs).map((job) => job.status)).toEqual(['INPROGRESS', 'INPROGRESS']);
  });
});

describe('rows 3 and 4: the Create answer is lost', () => {
  it('settles the create by name: the job is this run’s, watched, and stopped on timeout', async () => {
    emulator = await startTestEmulator({
      sagemaker: { timing: { startingMs: 50, inProgressMs: 60_000, stoppingMs: 50 } },
      sagemakerFaults: { dropAfterEffectRate: 1, operations: ['CreateCompilationJob'] },
    });
    const prepared = prepareRun(emulator, targetsYaml(3));
    const result = await prepared.run({ inputs: { timeout: '2s' }, onSpawn: killAfter(14_000) });
    expect(emulator.sagemaker.jobs()).toHaveLength(3);
    const jobs = jobsOf(result.outputs);
    expect(jobs.map((job) => job.status)).toEqual(['STOPPED', 'STOPPED', 'STOPPED']);
    expect(new Set(jobs.map((job) => job['job-name']))).toEqual(
      new Set(emulator.sagemaker.jobs().map((job) => job.name)),
    );
    expect(sagemakerCalls(emulator, 'StopCompilationJob')).toHaveLength(3);
    // On the post step's stop list as this run's own jobs.
    const saved = Object.entries(result.state).filter(([key]) => /^job-\d+$/.test(key));
    expect(saved.map(([, value]) => JSON.parse(value).lifecycle)).toEqual(['created', 'created', 'created']);
  });

  it('a job that FAILED before the retry is reported FAILED: one job per target, never -r2', async () => {
    emulator = await startTestEmulator({
      sagemaker: { timing: { startingMs: 1, inProgressMs: 1, stoppingMs: 1 } },
      sagemakerFaults: { dropAfterEffectRate: 1, operations: ['CreateCompilationJob'] },
    });
    const config = targetsYaml(4).replace('model.tar.gz', 'model-fails-to-load.tar.gz');
    const result = await prepareRun(emulator, config).run({ onSpawn: killAfter(14_000) });
    expect(result.code).toBe(1);
    const names = emulator.sagemaker.jobs().map((job) => job.name);
    expect(names).toHaveLength(4);
    expect(names.some((name) => name.endsWith('-r2'))).toBe(false);
    const jobs = jobsOf(result.outputs);
    expect(jobs.map((job) => job.status)).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED']);
    for (const job of jobs) expect(job['failure-reason']).toBeTruthy();
  });
});

describe('row 5: two runs of one commit', () => {
  it('a cancelled run that adopted another run’s jobs leaves them running; their creator completes them', async () => {
    emulator = await startTestEmulator({
      sagemaker: { timing: { startingMs: 50, inProgressMs: 6_000, stoppingMs: 50 } },
    });
    const config = targetsYaml(2);
    const runA = prepareRun(emulator, config);
    const runB = prepareRun(emulator, config);
    let running = 0;
    let resolveB: (value: Awaited<ReturnType<typeof runB.run>>) => void = () => {};
    const bDone = new Promise<Awaited<ReturnType<typeof runB.run>>>((resolve) => {
      resolveB = resolve;
    });
    const a = runA.run({
      onSpawn: killAfter(14_000),
      onLine: (line) => {
        if (!line.includes('-> INPROGRESS') || ++running !== 2) return;
        // B's model preflight is still reading when the cancel comes (A's is long done): nothing of B's exists.
        emulator?.s3.delay('GetObject', 3_000);
        let child: ChildProcess | undefined;
        let adopted = 0;
        void runB
          .run({
            onSpawn: (spawned) => {
              child = spawned;
            },
            onLine: (lineB) => {
              if (lineB.includes('adopting') && ++adopted === 2) child?.kill('SIGINT');
            },
          })
          .then(resolveB);
      },
    });
    const b = await bDone;
    expect(b.code).toBe(1);
    expect(sagemakerCalls(emulator, 'StopCompilationJob')).toHaveLength(0);
    expect(b.stdout).toMatch(/left running for the run that created them.*t0, t1/);
    // B's post step stops nothing either: adopted jobs are not on its list.
    await runB.run({ post: true });
    expect(sagemakerCalls(emulator, 'StopCompilationJob')).toHaveLength(0);
    const resultA = await a;
    expect(resultA.code).toBe(0);
    expect(resultA.outputs.status).toBe('succeeded');
  });
});

describe('row 6: SIGINT while every Stop is slow', () => {
  it('writes outputs and summary first, stops in parallel within the runner’s window, comments with the time left', async () => {
    emulator = await startTestEmulator({
      sagemaker: {
        quota: 50,
        stopDelayMs: 3_000,
        timing: { startingMs: 20, inProgressMs: 60_000, stoppingMs: 50 },
      },
    });
    const prepared = prepareRun(emulator, targetsYaml(20));
    let child: ChildProcess | undefined;
    let running = 0;
    let signalledAt = 0;
    let outputsAt = 0;
    const timers: NodeJS.Timeout[] = [];
    const result = await prepared.run({
      inputs: { 'max-concurrency': '20' },
      onSpawn: (spawned) => {
        child = spawned;
      },
      onLine: (line) => {
        if (!line.includes('-> INPROGRESS') || ++running !== 20) return;
        signalledAt = Date.now();
        // The runner's escalation: SIGINT, SIGTERM 7.5 s later, a kill 2.5 s after that.
        child?.kill('SIGINT');
        timers.push(setTimeout(() => child?.kill('SIGTERM'), 7_500));
        timers.push(setTimeout(() => child?.kill('SIGKILL'), 10_000));
        const poll = setInterval(() => {
          if (readFileSync(prepared.workspace.outputFile, 'utf8').includes('status<<')) {
            outputsAt = Date.now();
            clearInterval(poll);
          }
        }, 20);
        timers.push(poll);
      },
    });
    for (const timer of timers) clearInterval(timer);
    expect(result.signal).toBeNull(); // ended by itself, before the kill
    expect(outputsAt - signalledAt).toBeLessThan(2_500); // before the 3 s stops could end
    const stops = sagemakerCalls(emulator, 'StopCompilationJob');
    expect(stops).toHaveLength(20);
    const spread = Math.max(...stops.map((c) => c.time)) - Math.min(...stops.map((c) => c.time));
    expect(spread).toBeLessThan(1_500); // in parallel, not in rounds of 3 s
    const jobs = jobsOf(result.outputs);
    expect(jobs).toHaveLength(20);
    for (const job of jobs) expect(['STOPPING', 'STOPPED']).toContain(job.status);
    expect(result.summary).toContain('t19');
    // The final comment made it: it no longer says the run is in progress.
    const comment = emulator.github.comments.at(-1)?.body ?? '';
    expect(comment).toContain('t19');
    expect(comment).not.toMatch(/\d+ of 20 done/);
  });
});

// End-to-end orchestration (quota, throttling, cancel, post step, re-runs, timeout) on dist/ against the emulator.
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { prepareRun, sagemakerCalls, startTestEmulator, targetsYaml } from './helpers.ts';

const _JOB_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('orchestration', () => {
  it('never has more jobs in flight than the account quota, and completes them all', async () => {
    emulator = await startTestEmulator({ sagemaker: { quota: 2 } });
    const result = await prepareRun(emulator, targetsYaml(6)).run();
    expect(result.code).toBe(0);
    expect(emulator.sagemaker.peakConcurrency('compilation')).toBe(2);
    expect(emulator.sagemaker.jobs().filter((job) => job.status === 'COMPLETED')).toHaveLength(6);
    expect(sagemakerCalls(emulator, 'CreateCompilationJob').some((call) => call.status === 400)).toBe(true);
  });

  it('learns the quota instead of sending every queued job into ResourceLimitExceeded', async () => {
    emulator = await startTestEmulator({ sagemaker: { quota: 5 } });
    const result = await prepareRun(emulator, targetsYaml(40)).run({ inputs: { 'max-concurrency': '100' } });
    expect(result.code).toBe(0);
    const creates = sagemakerCalls(emulator, 'CreateCompilationJob');
    expect(creates.filter((call) => call.status === 200)).toHaveLength(40);
    // At most one probe every few sweeps is refused (the queue-wide retry sent hundreds).
    expect(creates.filter((call) => call.status !== 200).length).toBeLessThanOrEqual(20);
    expect(emulator.sagemaker.peakConcurrency('compilation')).toBe(5);
  });

  it('respects max-concurrency', async () => {
    emulator = await startTestEmulator({ sagemaker: { quota: 50 } });
    const result = await prepareRun(emulator, targetsYaml(7)).run({ inputs: { 'max-concurrency': '3' } });
    expect(result.code).toBe(0);
    expect(emulator.sagemaker.peakConcurrency('compilation')).toBe(3);
  });

  it('completes under 30% throttling and 5% server errors with no job created twice', async () => {
    emulator = await startTestEmulator({ sagemakerFaults: { throttleRate: 0.3, errorRate: 0.05, seed: 7 } });
    const result = await prepareRun(emulator, targetsYaml(8)).run();
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('succeeded');
    expect(emulator.sagemaker.jobs()).toHaveLength(8);
    const created = sagemakerCalls(emulator, 'CreateCompilationJob').filter((call) => call.status === 200);
    expect(
      new Set(created.map((call) => (call.body as { CompilationJobName: string }).CompilationJobName)).size,
    ).toBe(8);
    expect(created).toHaveLength(8);
  });

  it('watches with one List sweep per tick instead of one Describe per job', async () => {
    emulator = await startTestEmulator({
      sagemaker: { quota: 50, timing: { startingMs: 100, inProgressMs: 600, stoppingMs: 40 } },
    });
    const result = await prepareRun(emulator, targetsYaml(20)).run({ inputs: { 'poll-interval': '0.1' } });
    expect(result.code).toBe(0);
    // One Describe per job for its final details, none per poll (the 400s are the look-ups of existing jobs
    // by name at the start, which find none).
    const describes = sagemakerCalls(emulator, 'DescribeCompilationJob');
    expect(describes.filter((call) => call.status === 200)).toHaveLength(20);
    expect(describes.filter((call) => call.status !== 200)).toHaveLength(20);
    expect(sagemakerCalls(emulator, 'ListCompilationJobs').length).toBeGreaterThan(3);
  });

  it('stops every in-flight job on SIGINT and still writes the outputs', async () => {
    emulator = await startTestEmulator({
      sagemaker: { timing: { startingMs: 100, inProgressMs: 60_000, stoppingMs: 100 } },
    });
    const prepared = prepareRun(emulator, targetsYaml(4));
    let sent = false;
    let child: ChildProcess | undefined;
    const result = await prepared.run({
      onLine: (line) => {
        if (line.includes('INPROGRESS') && !sent) {
          sent = true;
          child?.kill('SIGINT');
        }
      },
      onSpawn: (spawned) => {
        child = spawned;
      },
    });
    expect(result.code).toBe(1);
    expect(sagemakerCalls(emulator, 'StopCompilationJob')).toHaveLength(4);
    for (const job of emulator.sagemaker.jobs()) expect(['STOPPING', 'STOPPED']).toContain(job.status);
    const jobs = JSON.parse(result.outputs.jobs ?? '[]') as { status: string; 'job-name': string }[];
    expect(jobs).toHaveLength(4);
    for (const job of jobs) expect(['STOPPING', 'STOPPED']).toContain(job.status);
    expect(result.outputs.status).toBe('failed');
  });

  it('post step stops the jobs of a main step that was killed', async () => {
    emulator = await startTestEmulator({
      sagemaker: { timing: { startingMs: 100, inProgressMs: 60_000, stoppingMs: 50 } },
    });
    const prepared = prepareRun(emulator, targetsYaml(3));
    let child: ChildProcess | undefined;
    const main = await prepared.run({
      onLine: (line) => {
        if (line.includes('INPROGRESS')) child?.kill('SIGKILL');
      },
      onSpawn: (spawned) => {
        child = spawned;
      },
    });
    expect(main.signal).toBe('SIGKILL');
    expect(
      emulator.sagemaker.jobs().filter((job) => job.status === 'INPROGRESS' || job.status === 'STARTING'),
    ).toHaveLength(3);
    const post = await prepared.run({ post: true });
    expect(post.code).toBe(0);
    expect(sagemakerCalls(emulator, 'StopCompilationJob')).toHaveLength(3);
    for (const job of emulator.sagemaker.jobs()) expect(['STOPPING', 'STOPPED']).toContain(job.status);
  });

  it('post step checks every saved job, past the ones that already ended', async () => {
    // t0..t7 end quickly, t8..t11 keep running: more finished jobs than the post step's parallel workers.
    emulator = await startTestEmulator({
      sagemaker: {
        quota: 20,
        timing: { startingMs: 20, inProgressMs: 60_000, stoppingMs: 50 },
        timingFor: (name) => (/-t[0-7]-/.test(name) ? { inProgressMs: 100 } : undefined),
      },
    });
    const prepared = prepareRun(emulator, targetsYaml(12));
    let child: ChildProcess | undefined;
    let completed = 0;
    const main = await prepared.run({
      inputs: { 'max-concurrency': '20' },
      onSpawn: (spawned) => {
        child = spawned;
      },
      onLine: (line) => {
        if (line.includes('-> COMPLETED') && ++completed === 8) child?.kill('SIGKILL');
      },
    });
    expect(main.signal).toBe('SIGKILL');
    const post = await prepared.run({ post: true });
    expect(post.code).toBe(0);
    expect(sagemakerCalls(emulator, 'StopCompilationJob')).toHaveLength(4);
    for (const job of emulator.sagemaker.jobs())
      expect(['COMPLETED', 'STOPPING', 'STOPPED']).toContain(job.status);
  });

  it('post step leaves alone the jobs of a main step that finished', async () => {
    emulator = await startTestEmulator();
    const prepared = prepareRun(emulator, targetsYaml(2));
    await prepared.run();
    const post = await prepared.run({ post: true });
    expect(post.code).toBe(0);
    expect(sagemakerCalls(emulator, 'StopCompilationJob')).toHaveLength(0);
  });

  it('a re-run reuses completed jobs and creates none', async () => {
    emulator = await startTestEmulator();
    const prepared = prepareRun(emulator, targetsYaml(3));
    const first = await prepared.run();
    expect(first.code).toBe(0);
    const second = await prepared.run();
    expect(second.code).toBe(0);
    expect(sagemakerCalls(emulator, 'CreateCompilationJob')).toHaveLength(3);
    const jobs = JSON.parse(second.outputs.jobs ?? '[]') as { reused: boolean; status: string }[];
    expect(jobs.every((job) => job.reused && job.status === 'COMPLETED')).toBe(true);
    expect(second.outputs.artifacts).toBe(first.outputs.artifacts);
    // force: true compiles anew under attempt names.
    const forced = await prepared.run({ inputs: { force: 'true' } });
    expect(forced.code).toBe(0);
    expect(sagemakerCalls(emulator, 'CreateCompilationJob').filter((c) => c.status === 200)).toHaveLength(6);
  });

  it('a re-run of many targets finds the earlier jobs with one List and reuses them all', async () => {
    emulator = await startTestEmulator({ sagemaker: { quota: 30 } });
    const prepared = prepareRun(emulator, targetsYaml(25));
    expect((await prepared.run({ inputs: { 'max-concurrency': '30' } })).code).toBe(0);
    const listsBefore = sagemakerCalls(emulator, 'ListCompilationJobs').length;
    const second = await prepared.run({ inputs: { 'max-concurrency': '30' } });
    expect(second.code).toBe(0);
    expect(sagemakerCalls(emulator, 'CreateCompilationJob')).toHaveLength(25);
    expect(sagemakerCalls(emulator, 'ListCompilationJobs').length - listsBefore).toBe(1);
    const jobs = JSON.parse(second.outputs.jobs ?? '[]') as { reused: boolean }[];
    expect(jobs.filter((job) => job.reused)).toHaveLength(25);
  });

  it('a re-run adopts jobs that are still running instead of failing on ResourceInUse', async () => {
    emulator = await startTestEmulator({
      sagemaker: { timing: { startingMs: 50, inProgressMs: 1500, stoppingMs: 50 } },
    });
    const prepared = prepareRun(emulator, targetsYaml(2));
    let child: ChildProcess | undefined;
    const first = await prepared.run({
      onLine: (line) => {
        if (line.includes('INPROGRESS')) child?.kill('SIGKILL');
      },
      onSpawn: (spawned) => {
        child = spawned;
      },
    });
    expect(first.signal).toBe('SIGKILL');
    const second = await prepared.run();
    expect(second.code).toBe(0);
    expect(sagemakerCalls(emulator, 'CreateCompilationJob')).toHaveLength(2);
  });

  it('retries a failed job under a new attempt name on re-run', async () => {
    emulator = await startTestEmulator();
    const config = targetsYaml(1).replace('model.tar.gz', 'model-fails-to-load.tar.gz');
    const prepared = prepareRun(emulator, config);
    expect((await prepared.run()).code).toBe(1);
    const second = await prepared.run();
    expect(second.code).toBe(1);
    const names = sagemakerCalls(emulator, 'CreateCompilationJob').map(
      (c) => (c.body as { CompilationJobName: string }).CompilationJobName,
    );
    expect(names).toHaveLength(2);
    expect(names[1]).toBe(`${names[0]}-r2`);
  });

  it('stops the jobs and reports when the timeout passes', async () => {
    emulator = await startTestEmulator({
      sagemaker: { timing: { startingMs: 50, inProgressMs: 60_000, stoppingMs: 50 } },
    });
    const result = await prepareRun(emulator, targetsYaml(2)).run({ inputs: { timeout: '1s' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error::2 of 2 target\(s\) did not complete \(timeout reached; running jobs were stopped\): stopped: t0, t1/,
    );
    const jobs = JSON.parse(result.outputs.jobs ?? '[]') as { status: string }[];
    expect(jobs.map((job) => job.status)).toEqual(['STOPPED', 'STOPPED']);
  });

  it('wait: false submits and returns at once with the job names and ARNs', async () => {
    emulator = await startTestEmulator({
      sagemaker: { timing: { startingMs: 50, inProgressMs: 60_000, stoppingMs: 50 } },
    });
    const prepared = prepareRun(emulator, targetsYaml(3));
    const result = await prepared.run({ inputs: { wait: 'false' } });
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('submitted');
    const jobs = JSON.parse(result.outputs.jobs ?? '[]') as { 'job-arn': string; 'job-name': string }[];
    expect(jobs.every((job) => job['job-arn'].includes(job['job-name'].toLowerCase()))).toBe(true);
    // The post step must not stop jobs left running on purpose.
    await prepared.run({ post: true });
    expect(sagemakerCalls(emulator, 'StopCompilationJob')).toHaveLength(0);
  });
});

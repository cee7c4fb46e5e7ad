// Reliability under injected faults, measured end to end on dist/ against the emulator.
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { prepareRun, startTestEmulator, targetsYaml } from '../e2e/helpers.ts';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const TERMINAL = ['COMPLETED', 'FAILED', 'STOPPED'];
const createdNames = (emu: Emulator) => emu.sagemaker.jobs().map((job) => job.name);

describe('faults on the SageMaker side', () => {
  it('20% throttling, 5% server errors and dropped connections: every job reported, none created twice', async () => {
    emulator = await startTestEmulator({
      sagemaker: { quota: 20, timing: { startingMs: 50, inProgressMs: 400, stoppingMs: 50 } },
      sagemakerFaults: {
        throttleRate: 0.2,
        errorRate: 0.05,
        dropRate: 0.02,
        dropAfterCreateRate: 0.15, // high enough that some create surely loses its answer
        seed: 11,
      },
    });
    const result = await prepareRun(emulator, targetsYaml(50)).run({ inputs: { 'poll-interval': '0.1' } });
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const jobs = JSON.parse(result.outputs.jobs ?? '[]') as {
      target: string;
      status: string;
      'job-name': string;
    }[];
    expect(jobs).toHaveLength(50);
    for (const job of jobs) expect(TERMINAL).toContain(job.status);
    // No duplicates: one SageMaker job per target, and each reported name is the one that exists.
    const names = createdNames(emulator);
    expect(names).toHaveLength(50);
    expect(new Set(names).size).toBe(50);
    expect(new Set(jobs.map((job) => job['job-name']))).toEqual(new Set(names));
    expect(result.outputs.status).toBe('succeeded');
    expect(result.code).toBe(0);
    // The faults really happened.
    const faults = emulator.calls.filter((call) => call.service === 'sagemaker' && call.status !== 200);
    expect(faults.length).toBeGreaterThan(10);
    expect(emulator.calls.some((call) => call.detail === 'dropped-after-create')).toBe(true);
  }, 120_000); // SDK backoffs under 20% throttling make this run 20-40 s; generous on a loaded machine

  it('kill -9 mid-run, then the post step, then a re-run: no orphan, no duplicate, every target reported', async () => {
    emulator = await startTestEmulator({
      sagemaker: { quota: 4, timing: { startingMs: 50, inProgressMs: 30_000, stoppingMs: 50 } },
    });
    const prepared = prepareRun(emulator, targetsYaml(8));
    let child: ChildProcess | undefined;
    const killed = await prepared.run({
      onSpawn: (spawned) => {
        child = spawned;
      },
      onLine: (line) => {
        if (line.includes('INPROGRESS')) child?.kill('SIGKILL');
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    const beforePost = emulator.sagemaker.jobs();
    expect(beforePost.length).toBe(4);
    const post = await prepared.run({ post: true });
    expect(post.code).toBe(0);
    // No orphan: everything the killed run created is stopping or stopped.
    for (const job of emulator.sagemaker.jobs()) expect(['STOPPING', 'STOPPED']).toContain(job.status);

    emulator.sagemaker.options.timing = { startingMs: 50, inProgressMs: 200, stoppingMs: 50 };
    await new Promise((resolve) => setTimeout(resolve, 150)); // let STOPPING become STOPPED
    const rerun = await prepared.run();
    const jobs = JSON.parse(rerun.outputs.jobs ?? '[]') as { target: string; status: string }[];
    expect(jobs.map((job) => job.target).sort()).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7']);
    expect(jobs.every((job) => job.status === 'COMPLETED')).toBe(true);
    // Stopped jobs are retried under attempt names, never created twice under one name.
    const names = createdNames(emulator);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(12);
    expect(rerun.code).toBe(0);
  });
});

// The pieces around the scheduler: saved state for the post step, the post step's cleanup, error classes,
// the `jobs` output cap, the failure line after expired credentials, and outputs replaced as a whole.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStepOutputs } from '../../src/action/outputs-file.ts';
import { decodeSavedJobs, encodeSavedJob, MAX_SAVED_JOBS, type SavedJob } from '../../src/action/state.ts';
import { classifyAwsError } from '../../src/aws/sagemaker.ts';
import { failureSummary, jobsOutput, roleDurationAdvice } from '../../src/report/outputs.ts';
import { stopLeftoverJobs } from '../../src/run/cleanup.ts';
import { signalUntil } from '../../src/run/clock.ts';
import type { JobState } from '../../src/types.ts';
import { FakeClock, FakeSageMaker, serviceError } from './fakes.ts';

const saved = (name: string, lifecycle: SavedJob['lifecycle'], runStart: number): SavedJob => ({
  kind: 'compilation',
  region: 'us-west-2',
  name,
  lifecycle,
  runStart,
});

describe('saved state for the post step', () => {
  it('reads each entry on its own: null, garbage and bad fields are warnings, good entries survive', () => {
    const good = encodeSavedJob(saved('p-a-1', 'created', 1));
    const { jobs, warnings } = decodeSavedJobs({
      'job-count': 'abc',
      'job-0': 'null',
      'job-1': '{not json',
      'job-2': good,
      'job-3': JSON.stringify({ ...saved('p-b-1', 'created', 1), region: 'x;y' }),
      'job-4': '',
    });
    expect(jobs.map((job) => job.name)).toEqual(['p-a-1']);
    expect(warnings).toHaveLength(5);
    expect(warnings[0]).toMatch(/job-count is 'abc'/);
  });

  it('finds entries without a job-count and bounds a huge number of them', () => {
    expect(decodeSavedJobs({ 'job-7': encodeSavedJob(saved('p-a-1', 'creating', 1)) }).jobs).toHaveLength(1);
    const many: Record<string, string> = { 'job-count': '99999999999' };
    for (let i = 0; i < MAX_SAVED_JOBS + 10; i++)
      many[`job-${i}`] = encodeSavedJob(saved(`p-${i}`, 'created', 1));
    const { jobs, warnings } = decodeSavedJobs(many);
    expect(jobs).toHaveLength(MAX_SAVED_JOBS);
    expect(warnings.some((w) => w.includes(`first ${MAX_SAVED_JOBS}`))).toBe(true);
  });
});

describe('post-step cleanup', () => {
  it('stops only this run’s own running jobs', async () => {
    const clock = new FakeClock();
    const api = new FakeSageMaker(clock);
    api.runMs = 3_600_000;
    const runStart = clock.now();
    api.seed('own', { ageMs: -1 });
    api.seed('other-creating', { ageMs: 600_000 });
    api.seed('released', { ageMs: -1 });
    api.seed('done', { ageMs: 7_200_000 });
    const report = await stopLeftoverJobs(
      api,
      [
        saved('own', 'created', runStart),
        saved('other-creating', 'creating', runStart),
        saved('released', 'released', runStart),
        saved('done', 'created', runStart),
        saved('never-created', 'creating', runStart),
      ],
      new AbortController().signal,
      { info: () => {}, warning: () => {} },
    );
    expect(report.stopped.map((job) => job.name)).toEqual(['own']);
    expect(api.calls.filter((call) => call.op === 'stop').map((call) => call.name)).toEqual(['own']);
  });

  it('ends at its budget when every call hangs, and at once when the credentials fail', async () => {
    const clock = new FakeClock();
    const api = new FakeSageMaker(clock);
    api.fault = () => ({ hang: true });
    const jobs = Array.from({ length: 30 }, (_, i) => saved(`j${i}`, 'created', clock.now()));
    const start = clock.now();
    const budget = signalUntil(clock, start + 45_000);
    const report = await stopLeftoverJobs(api, jobs, budget.signal, { info: () => {}, warning: () => {} });
    expect(clock.now() - start).toBe(45_000);
    expect(report.failed).toHaveLength(30);

    api.fault = () => ({ before: serviceError('ExpiredTokenException') });
    api.calls.length = 0;
    const expired = await stopLeftoverJobs(api, jobs, new AbortController().signal, {
      info: () => {},
      warning: () => {},
    });
    expect(expired.credentialsFailed).toMatch(/ExpiredTokenException/);
    expect(api.calls.length).toBeLessThanOrEqual(8); // the calls already in flight, no more
  });
});

describe('classifyAwsError', () => {
  it('sorts the service’s and the network’s errors into the classes the scheduler acts on', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'ThrottlingException' }, 'throttle'],
      [{ name: 'ResourceLimitExceeded' }, 'quota'],
      [{ name: 'ExpiredTokenException' }, 'credentials'],
      [{ name: 'InvalidClientTokenId' }, 'credentials'],
      [{ name: 'UnrecognizedClientException' }, 'credentials'],
      [{ name: 'AccessDeniedException' }, 'denied'],
      [{ name: 'ResourceInUse' }, 'in-use'],
      [{ name: 'ResourceNotFound' }, 'not-found'],
      [{ name: 'ValidationException' }, 'validation'],
      [{ name: 'InternalFailure', $fault: 'server' }, 'transient'],
      [{ name: 'TimeoutError', code: 'ETIMEDOUT' }, 'transient'],
      [{ name: 'Error', code: 'ECONNRESET' }, 'transient'],
      [{ name: 'AbortError' }, 'aborted'],
    ];
    for (const [fields, kind] of cases)
      expect([fields.name, classifyAwsError(Object.assign(new Error('x'), fields))]).toEqual([
        fields.name,
        kind,
      ]);
  });
});

describe('the jobs output', () => {
  it('stays whole when it fits, else keeps what fits and ends with a truncation marker', () => {
    const list = Array.from({ length: 100 }, (_, i) => ({ target: `t${i}`, reason: 'x'.repeat(100) }));
    expect(jobsOutput(list, '/tmp/jobs.json')).toBe(JSON.stringify(list));
    const capped = jobsOutput(list, '/tmp/jobs.json', 2_000);
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(2_000);
    const parsed = JSON.parse(capped) as Record<string, unknown>[];
    expect(parsed.at(-1)).toEqual({
      truncated: true,
      shown: parsed.length - 1,
      total: 100,
      'full-list': 'jobs-file output: /tmp/jobs.json',
    });
    expect(parsed[0]).toEqual(list[0]);
  });
});

describe('the failure line after expired credentials', () => {
  const job = (target: string, status: JobState['status']): JobState => ({
    target,
    kind: 'compilation',
    region: 'us-west-2',
    device: 'jetson_nano',
    jobName: `p-${target}-1`,
    status,
  });

  it('says the credentials expired, names the jobs NOT stopped, and suggests a longer role session', () => {
    const running = [job('a', 'INPROGRESS'), job('b', 'STARTING')];
    const line = failureSummary(running, 'auth-failed', {
      fatal: {
        kind: 'credentials',
        code: 'ExpiredTokenException',
        operation: 'ListCompilationJobs',
        message: 'expired',
      },
      notStopped: running,
      timeoutMs: 3_600_000,
    });
    expect(line).toMatch(
      /^AWS credentials expired during the run \(ExpiredTokenException on ListCompilationJobs/,
    );
    expect(line).toContain('were NOT stopped (stopping needs valid credentials too): a (p-a-1), b (p-b-1)');
    expect(line).toContain('role-duration-seconds: 4500');
    expect(roleDurationAdvice(90_000)).toContain('role-duration-seconds: 1200');
  });
});

describe('step outputs', () => {
  it('a second commit replaces the first: each output appears once, with its last value', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'outputs-')), 'output');
    const outputs = createStepOutputs(file);
    outputs.set({ status: 'failed', jobs: '[1]' });
    outputs.commit();
    outputs.set({ jobs: '[1,2]' });
    outputs.commit();
    const text = readFileSync(file, 'utf8');
    expect(text.match(/^jobs<</gm)).toHaveLength(1);
    expect(text).toContain('\n[1,2]\n');
    expect(text.match(/^status<</gm)).toHaveLength(1);
  });
});

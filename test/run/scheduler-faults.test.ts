// The scheduler's parts under each fault of issue 10, in virtual time: a fake clock and a fake SageMaker.
import { describe, expect, it } from 'vitest';
import { type ScheduleEvents, type ScheduleOptions, scheduleJobs } from '../../src/run/schedule.ts';
import { FakeClock, FakeSageMaker, networkError, plan, serviceError } from './fakes.ts';

const OPTIONS: ScheduleOptions = {
  maxConcurrency: 10,
  pollIntervalMs: 5_000,
  timeoutMs: 3_600_000,
  wait: true,
  force: false,
  stopBudgetMs: { timeout: 20_000, cancel: 6_000 },
};

function setUp() {
  const clock = new FakeClock();
  const api = new FakeSageMaker(clock);
  const lines: string[] = [];
  const events: ScheduleEvents = { log: (l) => lines.push(l), warn: (l) => lines.push(`warning: ${l}`) };
  const run = (count: number, options: Partial<ScheduleOptions> = {}, more: ScheduleEvents = {}) =>
    scheduleJobs({ api, clock }, plan(count), { ...OPTIONS, ...options }, { ...events, ...more });
  return { clock, api, lines, run, start: clock.now() };
}

describe('a normal run in virtual time', () => {
  it('creates each job once, sweeps every poll interval and ends when all completed', async () => {
    const { api, clock, run, start } = setUp();
    api.runMs = 60_000;
    const result = await run(3);
    expect(result.outcome).toBe('finished');
    expect(result.jobs.map((job) => job.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(api.count('create')).toBe(3);
    // Detected within one poll interval of the end.
    expect(clock.now() - start).toBeLessThanOrEqual(60_000 + 5_000 + 1);
  });

  it('logs a progress line about every minute while jobs run', async () => {
    const { api, lines, run } = setUp();
    api.runMs = 200_000;
    await run(2);
    const progress = lines.filter((line) => line.startsWith('Progress:'));
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress[0]).toMatch(/^Progress: 0 of 2 done, 2 running, 1m0\ds$/);
  });
});

describe('row 1: calls that never answer', () => {
  it('every call hangs: the timeout still ends the run, with every target reported', async () => {
    const { api, clock, run, start } = setUp();
    api.fault = () => ({ hang: true });
    const result = await run(3, { timeoutMs: 60_000 });
    expect(result.outcome).toBe('timeout');
    expect(result.jobs).toHaveLength(3);
    expect(clock.now() - start).toBeLessThanOrEqual(60_000 + 20_000);
  });

  it('sweeps and stops hang after the creates: ends within timeout + stop budget, naming what was not stopped', async () => {
    const { api, clock, run, start } = setUp();
    api.runMs = 3_600_000;
    api.fault = (op) =>
      op === 'create' ? undefined : op === 'describe' && api.count('create') < 2 ? undefined : { hang: true };
    const result = await run(2, { timeoutMs: 60_000 });
    expect(result.outcome).toBe('timeout');
    expect(clock.now() - start).toBeLessThanOrEqual(60_000 + 20_000);
    expect(result.notStopped.map((job) => job.target)).toEqual(['t0', 't1']);
  });

  it('the cancel signal ends a hung create at once', async () => {
    const { api, clock, run, start } = setUp();
    api.fault = (op) => (op === 'create' ? { hang: true } : undefined);
    const cancel = new AbortController();
    void clock.sleep(10_000).then(() => cancel.abort());
    const result = await run(2, { signal: cancel.signal });
    expect(result.outcome).toBe('cancelled');
    expect(clock.now() - start).toBeLessThanOrEqual(10_000 + 6_000);
  });
});

describe('row 2: credentials fail mid-run', () => {
  it('ExpiredTokenException on List is fatal at once: no Stop, running jobs named as not stopped', async () => {
    const { api, run } = setUp();
    api.runMs = 3_600_000;
    // The first List meets the expired token, and so does every call after it.
    let expired = false;
    api.fault = (op) => {
      if (op === 'list') expired = true;
      return expired ? { before: serviceError('ExpiredTokenException') } : undefined;
    };
    const result = await run(2);
    expect(result.outcome).toBe('auth-failed');
    expect(result.fatal).toMatchObject({
      kind: 'credentials',
      code: 'ExpiredTokenException',
      operation: 'ListCompilationJobs',
    });
    expect(api.count('stop')).toBe(0);
    expect(api.count('list')).toBe(1);
    expect(result.notStopped.map((job) => job.target)).toEqual(['t0', 't1']);
  });

  it('List denied falls back to Describe; Describe denied as well is fatal', async () => {
    const { api, run, lines } = setUp();
    api.runMs = 3_600_000;
    api.fault = (op) =>
      op === 'list'
        ? { before: serviceError('AccessDeniedException') }
        : op === 'describe' && api.count('create') === 2
          ? { before: serviceError('AccessDeniedException') }
          : undefined;
    const result = await run(2);
    expect(lines.some((line) => line.includes('checking jobs one by one with Describe'))).toBe(true);
    expect(result.outcome).toBe('auth-failed');
    expect(result.fatal).toMatchObject({ kind: 'denied', operation: 'DescribeCompilationJob' });
  });

  it('an auth error on Create is fatal too, before more creates are sent', async () => {
    const { api, run } = setUp();
    api.fault = (op) =>
      op === 'create' ? { before: serviceError('UnrecognizedClientException') } : undefined;
    const result = await run(20, { requestParallelism: 1 });
    expect(result.outcome).toBe('auth-failed');
    expect(api.count('create')).toBe(1);
  });
});

describe('rows 3 and 4: lost Create answers', () => {
  it('every Create answer is lost (retries too): settled by Describe, the job is ours and stopped on timeout', async () => {
    const { api, run } = setUp();
    api.runMs = 3_600_000;
    api.fault = (op) => (op === 'create' ? { after: networkError() } : undefined);
    const lifecycles: string[] = [];
    const result = await run(
      3,
      { timeoutMs: 60_000 },
      { onLifecycle: (e) => lifecycles.push(`${e.state.target}:${e.lifecycle}`) },
    );
    expect(api.jobs.size).toBe(3);
    expect(api.count('create')).toBe(3);
    expect(result.jobs.map((job) => job.status)).toEqual(['STOPPED', 'STOPPED', 'STOPPED']);
    expect(api.count('stop')).toBe(3);
    expect(lifecycles).toContain('t0:creating');
    expect(lifecycles).toContain('t0:created');
  });

  it('the job FAILED before the answer was settled: reported FAILED, never a -r2', async () => {
    const { api, run } = setUp();
    api.runMs = 10;
    api.failureFor = () => 'ClientError: bad model';
    api.fault = (op) =>
      op === 'create'
        ? { after: networkError() }
        : op === 'describe' && api.count('create') > 0
          ? { delayMs: 50 }
          : undefined;
    const result = await run(4);
    expect([...api.jobs.keys()]).toHaveLength(4);
    expect([...api.jobs.keys()].some((name) => name.endsWith('-r2'))).toBe(false);
    expect(result.jobs.map((job) => job.status)).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED']);
    expect(result.jobs[0]?.failureReason).toBe('ClientError: bad model');
  });

  it('a Create that surely had no effect (not found afterwards) is sent again', async () => {
    const { api, run } = setUp();
    api.runMs = 1_000;
    let dropped = 0;
    api.fault = (op) => (op === 'create' && dropped++ === 0 ? { before: networkError() } : undefined);
    const result = await run(1);
    expect(result.jobs[0]?.status).toBe('COMPLETED');
    expect(api.count('create')).toBe(2);
  });
});

describe('row 5: jobs of another run are never stopped', () => {
  it('adopted running jobs are left to their creator on timeout', async () => {
    const { api, run } = setUp();
    api.runMs = 3_600_000;
    api.seed('p-t0-0123abcd', { ageMs: 30_000 });
    const result = await run(2, { timeoutMs: 60_000 });
    expect(result.outcome).toBe('timeout');
    expect(api.calls.filter((call) => call.op === 'stop').map((call) => call.name)).toEqual([
      'p-t1-0123abcd',
    ]);
    expect(result.leftToOthers.map((job) => job.target)).toEqual(['t0']);
  });

  it('and on cancel', async () => {
    const { api, clock, run } = setUp();
    api.runMs = 3_600_000;
    api.seed('p-t0-0123abcd', { ageMs: 30_000 });
    api.seed('p-t1-0123abcd', { ageMs: 30_000 });
    const cancel = new AbortController();
    void clock.sleep(20_000).then(() => cancel.abort());
    const result = await run(2, { signal: cancel.signal });
    expect(result.outcome).toBe('cancelled');
    expect(api.count('stop')).toBe(0);
    expect(api.count('create')).toBe(0);
    expect(result.leftToOthers).toHaveLength(2);
  });
});

describe('row 6: cancel while every Stop is slow', () => {
  it('outputs come first, the stops run in parallel and the run returns within the cancel budget', async () => {
    const { api, clock, run } = setUp();
    api.runMs = 3_600_000;
    api.fault = (op) => (op === 'stop' ? { delayMs: 5_000 } : undefined);
    const cancel = new AbortController();
    let cancelledAt = 0;
    void clock.sleep(30_000).then(() => {
      cancelledAt = clock.now();
      cancel.abort();
    });
    let endingAt = 0;
    let stopsAtEnding = -1;
    const result = await run(
      20,
      { signal: cancel.signal, maxConcurrency: 20 },
      {
        onEnding: (jobs, outcome) => {
          endingAt = clock.now();
          stopsAtEnding = api.count('stop');
          expect(jobs).toHaveLength(20);
          expect(outcome).toBe('cancelled');
        },
      },
    );
    expect(endingAt).toBe(cancelledAt);
    expect(stopsAtEnding).toBe(0);
    const stops = api.calls.filter((call) => call.op === 'stop');
    expect(stops).toHaveLength(20);
    expect(new Set(stops.map((call) => call.at)).size).toBe(1);
    expect(clock.now() - cancelledAt).toBeLessThanOrEqual(6_000);
    expect(result.jobs.every((job) => job.status === 'STOPPING' || job.status === 'STOPPED')).toBe(true);
  });

  it('stops that outlast the budget are abandoned and named', async () => {
    const { api, clock, run } = setUp();
    api.runMs = 3_600_000;
    api.fault = (op) => (op === 'stop' ? { delayMs: 60_000 } : undefined);
    const cancel = new AbortController();
    void clock.sleep(30_000).then(() => cancel.abort());
    const result = await run(3, { signal: cancel.signal });
    expect(result.notStopped.map((job) => job.target)).toEqual(['t0', 't1', 't2']);
  });
});

describe('quota', () => {
  it('waits out a full quota and never has more jobs than it allows', async () => {
    const { api, run } = setUp();
    api.runMs = 20_000;
    api.quota = 2;
    const result = await run(6);
    expect(result.jobs.every((job) => job.status === 'COMPLETED')).toBe(true);
    expect(api.jobs.size).toBe(6);
  });
});

describe('submitWhen: existing jobs are looked up while the model preflight runs, nothing is created before it passes', () => {
  it('looks up existing jobs at once, creates only after the gate opens', async () => {
    const { api, clock, run, start } = setUp();
    api.runMs = 30_000;
    api.seed('p-t0-0123abcd', { ageMs: 30_000, runMs: 10_000 });
    let open: (value: boolean) => void = () => {};
    const gate = new Promise<boolean>((resolve) => {
      open = resolve;
    });
    void clock.sleep(45_000).then(() => open(true));
    const result = await run(2, { submitWhen: gate });
    expect(result.outcome).toBe('finished');
    // The look-up of the existing job came first, the only create after the gate (t0 was reused).
    expect(api.calls[0]?.op).not.toBe('create');
    expect(api.calls[0]?.at).toBe(start);
    const creates = api.calls.filter((call) => call.op === 'create');
    expect(creates.map((call) => call.name)).toEqual(['p-t1-0123abcd']);
    expect(creates[0]?.at).toBeGreaterThanOrEqual(start + 45_000);
    expect(result.jobs.map((job) => job.status)).toEqual(['COMPLETED', 'COMPLETED']);
  });

  it("a gate that says no stops the look-ups and ends the run 'held': no create, no stop, no early outputs", async () => {
    const { api, clock, run, start } = setUp();
    // The look-up of existing jobs hangs (a slow endpoint); the preflight says no after 2 s.
    api.fault = (op) => (op === 'create' ? undefined : { hang: true });
    let endings = 0;
    const gate = clock.sleep(2_000).then(() => false);
    const result = await run(2, { submitWhen: gate }, { onEnding: () => endings++ });
    expect(result.outcome).toBe('held');
    expect(result.submitting).toBe(false);
    expect(clock.now() - start).toBe(2_000);
    expect(api.count('create')).toBe(0);
    expect(api.count('stop')).toBe(0);
    expect(endings).toBe(0);
  });

  it("the gate's no stands when a timeout or cancel comes after it", async () => {
    const { api, clock, run } = setUp();
    api.fault = (op) => (op === 'create' ? undefined : { delayMs: 30_000 });
    const cancel = new AbortController();
    void clock.sleep(2_000).then(() => cancel.abort());
    let endings = 0;
    const result = await run(
      2,
      { timeoutMs: 1_500, signal: cancel.signal, submitWhen: clock.sleep(1_000).then(() => false) },
      { onEnding: () => endings++ },
    );
    expect(result.outcome).toBe('held');
    expect(endings).toBe(0);
    expect(api.count('create')).toBe(0);
  });

  it('a gate that fails is a no', async () => {
    const { api, run } = setUp();
    const result = await run(1, { submitWhen: Promise.reject(new Error('preflight crashed')) });
    expect(result.outcome).toBe('held');
    expect(api.count('create')).toBe(0);
  });

  it('the timeout holds while the gate is closed: nothing created, every target reported, no early outputs', async () => {
    const { api, clock, run, start } = setUp();
    let endings = 0;
    const result = await run(
      2,
      { timeoutMs: 60_000, submitWhen: new Promise<boolean>(() => {}) },
      { onEnding: () => endings++ },
    );
    expect(result.outcome).toBe('timeout');
    expect(result.submitting).toBe(false);
    expect(endings).toBe(0);
    expect(api.count('create')).toBe(0);
    expect(clock.now() - start).toBe(60_000);
    expect(result.jobs.map((job) => job.failureReason)).toEqual([
      'Not submitted: timeout reached before submitting could start',
      'Not submitted: timeout reached before submitting could start',
    ]);
  });

  it('a cancel while the gate is closed ends the run at once, nothing created', async () => {
    const { api, clock, run, start } = setUp();
    const cancel = new AbortController();
    void clock.sleep(5_000).then(() => cancel.abort());
    const result = await run(2, { signal: cancel.signal, submitWhen: new Promise<boolean>(() => {}) });
    expect(result.outcome).toBe('cancelled');
    expect(api.count('create')).toBe(0);
    expect(clock.now() - start).toBeLessThanOrEqual(5_000 + 6_000);
  });
});

describe('a sweep has a time budget', () => {
  it('a Describe the SDK keeps retrying (throttled) is given up for the sweep, not waited out by every other job', async () => {
    const { api, clock, run, start } = setUp();
    // t0 ends at 10 s, t1 at 20 s; t0's first final Describe takes 60 s (retries with backoff).
    api.runMs = 10_000;
    let slowed = false;
    api.fault = (op, name) => {
      if (op !== 'describe' || name !== 'p-t0-0123abcd' || slowed) return undefined;
      if (api.statusOf(api.jobs.get(name) as Parameters<FakeSageMaker['statusOf']>[0]) !== 'COMPLETED')
        return undefined;
      slowed = true;
      return { delayMs: 60_000 };
    };
    const detected = new Map<string, number>();
    const result = await run(
      2,
      {},
      {
        onChange: (job) => {
          if (job.status === 'COMPLETED') detected.set(job.target, clock.now() - start);
          // t1 runs twice as long as t0.
          if (job.target === 't0' && job.status === 'STARTING') api.runMs = 20_000;
        },
      },
    );
    expect(result.outcome).toBe('finished');
    expect(slowed).toBe(true);
    // The slow Describe was dropped after the sweep's budget (10 s: twice the 5 s interval) and asked again.
    expect(detected.get('t0')).toBeLessThanOrEqual(10_000 + 5_000 + 10_000 + 5_000);
    expect(detected.get('t1')).toBeLessThanOrEqual(20_000 + 5_000 + 10_000 + 5_000);
    expect(clock.now() - start).toBeLessThan(60_000);
  });
});

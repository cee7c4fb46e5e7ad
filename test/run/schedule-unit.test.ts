// The scheduler against a stubbed JobApi: error classes a live emulator cannot easily produce.
import { describe, expect, it } from 'vitest';
import type { JobApi, JobSnapshot } from '../../src/aws/sagemaker.ts';
import { scheduleJobs } from '../../src/run/schedule.ts';
import type { PlannedJob } from '../../src/types.ts';

function planned(target: string): PlannedJob {
  return {
    target,
    kind: 'compilation',
    region: 'us-west-2',
    jobName: `p-${target}-0123abcd`,
    device: 'jetson_nano',
    request: {
      CompilationJobName: `p-${target}-0123abcd`,
      RoleArn: 'arn:aws:iam::123456789012:role/R',
      OutputConfig: { S3OutputLocation: 's3://b/o/', TargetDevice: 'jetson_nano' },
      StoppingCondition: { MaxRuntimeInSeconds: 900 },
    },
  };
}

const serviceError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, ...extra });

/** A fake SageMaker whose jobs complete on the first sweep; `onCreate` may throw to inject errors. */
function fakeApi(onCreate: (name: string, call: number) => void): JobApi & { created: string[] } {
  const jobs = new Map<string, JobSnapshot>();
  const created: string[] = [];
  let calls = 0;
  return {
    created,
    async create(job) {
      onCreate(job.jobName, ++calls);
      created.push(job.jobName);
      const arn = `arn:aws:sagemaker:us-west-2:123456789012:compilation-job/${job.jobName}`;
      jobs.set(job.jobName, {
        name: job.jobName,
        arn,
        status: 'COMPLETED',
        creationTime: Date.now(),
        artifact: 's3://b/o/m.tar.gz',
      });
      return { arn };
    },
    async describe(_kind, _region, name) {
      const job = jobs.get(name);
      if (!job) throw serviceError('ResourceNotFound');
      return job;
    },
    async list() {
      return { jobs: [...jobs.values()], pages: 1 };
    },
    async stop() {},
    takeRetryCount: () => 0,
  };
}

const options = { maxConcurrency: 5, pollIntervalMs: 5, timeoutMs: 10_000, wait: true, force: false };

describe('scheduleJobs error handling', () => {
  it('reports a ValidationException from the service as a failed target, not a crash', async () => {
    const api = fakeApi((name) => {
      if (name.includes('-bad-')) throw serviceError('ValidationException', { $fault: 'client' });
    });
    const result = await scheduleJobs({ api }, [planned('good'), planned('bad')], options);
    expect(result.outcome).toBe('finished');
    const bad = result.jobs.find((job) => job.target === 'bad');
    expect(bad).toMatchObject({
      status: 'NOT_CREATED',
      failureReason: 'ValidationException: ValidationException happened',
    });
    expect(result.jobs.find((job) => job.target === 'good')?.status).toBe('COMPLETED');
  });

  it('retries a create that failed with a network error after the SDK gave up, creating the job once', async () => {
    const api = fakeApi((_name, call) => {
      if (call <= 2) throw serviceError('TimeoutError', { code: 'ECONNRESET' });
    });
    const result = await scheduleJobs({ api }, [planned('a')], options);
    expect(result.jobs[0]?.status).toBe('COMPLETED');
    expect(api.created).toEqual(['p-a-0123abcd']);
  });

  it('gives a target up after repeated transient failures and says why', async () => {
    const api = fakeApi(() => {
      throw serviceError('ThrottlingException', { $fault: 'client' });
    });
    const result = await scheduleJobs({ api }, [planned('a')], options);
    expect(result.jobs[0]).toMatchObject({
      status: 'NOT_CREATED',
      failureReason: expect.stringContaining('ThrottlingException'),
    });
  });
});

describe('scheduleJobs watching and adoption', () => {
  it('falls back to one Describe per job when List is denied, and still finishes', async () => {
    const api = fakeApi(() => {});
    api.list = async () => {
      throw serviceError('AccessDeniedException', { $fault: 'client' });
    };
    const warnings: string[] = [];
    const result = await scheduleJobs({ api }, [planned('a'), planned('b')], options, {
      warn: (m) => warnings.push(m),
    });
    expect(result.outcome).toBe('finished');
    expect(result.jobs.map((job) => job.status)).toEqual(['COMPLETED', 'COMPLETED']);
    expect(warnings.some((w) => w.includes('sagemaker:ListCompilationJobs'))).toBe(true);
  });

  it('does not crash when describing an existing job fails during adoption', async () => {
    const api = fakeApi(() => {});
    await api.create(planned('a'));
    api.created.length = 0;
    let describes = 0;
    const describe = api.describe.bind(api);
    api.describe = async (...args) => {
      if (++describes === 1) throw serviceError('ThrottlingException', { $fault: 'client' });
      return describe(...args);
    };
    const result = await scheduleJobs({ api }, [planned('a')], options);
    expect(result.jobs[0]?.status).toBe('COMPLETED');
  });

  it('retries under a new attempt name when the existing job is still STOPPING', async () => {
    const api = fakeApi(() => {});
    await api.create(planned('a'));
    const existing = await api.describe('compilation', 'us-west-2', 'p-a-0123abcd');
    existing.status = 'STOPPING';
    api.created.length = 0;
    const result = await scheduleJobs({ api }, [planned('a')], options);
    expect(api.created).toEqual(['p-a-0123abcd-r2']);
    expect(result.jobs[0]).toMatchObject({ jobName: 'p-a-0123abcd-r2', status: 'COMPLETED' });
  });
});

// End-to-end: the built dist/index.js, run as the runner runs it, against the local emulator.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { prepareRun, sagemakerCalls, startTestEmulator, targetsYaml } from './helpers.ts';

const JOB_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('a pull-request run of the example config', () => {
  it('creates one job per target with the exact requests, waits, and reports every output', async () => {
    emulator = await startTestEmulator();
    const config = readFileSync(new URL('../../examples/neo.yml', import.meta.url), 'utf8');
    const result = await prepareRun(emulator, config).run();

    // One target fails on purpose: the step fails with a one-line reason naming it.
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::1 of 5 target\(s\) did not complete: failed: rasp3b/);
    expect(result.stdout).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/); // no stack trace

    const creates = sagemakerCalls(emulator, 'CreateCompilationJob');
    expect(creates).toHaveLength(5);
    const requests = new Map(
      creates.map((call) => {
        const body = call.body as { CompilationJobName: string };
        return [body.CompilationJobName.split('-').slice(1, -1).join('-'), body];
      }),
    );
    const common = {
      RoleArn: 'arn:aws:iam::123456789012:role/NeoCompile',
      StoppingCondition: { MaxRuntimeInSeconds: 900 },
      Tags: [{ Key: 'team', Value: 'vision' }],
    };
    const input = {
      S3Uri: 's3://models/resnet50/model.tar.gz',
      Framework: 'PYTORCH',
      FrameworkVersion: '2.0',
      DataInputConfig: '{"input0":[1,3,224,224]}',
    };
    expect(requests.get('jetson-tx2-trt')).toEqual({
      ...common,
      CompilationJobName: expect.stringMatching(/^resnet50-jetson-tx2-trt-[0-9a-f]{8,}$/),
      InputConfig: input,
      OutputConfig: {
        S3OutputLocation: 's3://artifacts/resnet50/3f2c9d1/',
        TargetPlatform: { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' },
        CompilerOptions: '{"gpu-code":"sm_62","trt-ver":"6.0.1","cuda-ver":"10.0"}',
      },
    });
    expect(requests.get('pixel-arm64')).toMatchObject({
      OutputConfig: {
        TargetPlatform: { Os: 'ANDROID', Arch: 'ARM64' },
        CompilerOptions: '{"ANDROID_PLATFORM":29}',
      },
    });
    expect(requests.get('jetson-nano')).toMatchObject({
      InputConfig: input,
      OutputConfig: { TargetDevice: 'jetson_nano' },
    });
    for (const call of creates)
      expect((call.body as { CompilationJobName: string }).CompilationJobName).toMatch(JOB_NAME);

    // Outputs: status, artifacts of the completed targets, one artifact-<name> each, jobs for all.
    expect(result.outputs.status).toBe('failed');
    const artifacts = JSON.parse(result.outputs.artifacts ?? '') as Record<string, string>;
    expect(Object.keys(artifacts).sort()).toEqual([
      'jetson-nano',
      'jetson-tx2-trt',
      'pixel-arm64',
      'rk3399-mali',
    ]);
    expect(artifacts['jetson-nano']).toBe('s3://artifacts/resnet50/3f2c9d1/model-jetson_nano.tar.gz');
    expect(result.outputs['artifact-jetson-nano']).toBe(artifacts['jetson-nano']);
    expect(result.outputs['artifact-rasp3b']).toBeUndefined();
    const jobs = JSON.parse(result.outputs.jobs ?? '') as Record<string, unknown>[];
    expect(jobs).toHaveLength(5);
    const rasp = jobs.find((job) => job.target === 'rasp3b');
    expect(rasp).toMatchObject({ kind: 'compilation', status: 'FAILED', artifact: null });
    expect(rasp?.['failure-reason']).toEqual(expect.stringContaining('ClientError'));
    for (const job of jobs) {
      expect(job['job-arn']).toMatch(/^arn:aws:sagemaker:us-west-2:123456789012:compilation-job\//);
      expect(job['duration-seconds']).toBeGreaterThan(0);
    }
    // The artifacts really exist where the outputs say.
    for (const uri of Object.values(artifacts)) {
      const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
      expect(emulator.s3.store.getObject(bucket as string, key as string)).toBeDefined();
    }
    // The job summary has the table with every target.
    for (const target of ['jetson-nano', 'jetson-tx2-trt', 'pixel-arm64', 'rk3399-mali', 'rasp3b']) {
      expect(result.summary).toContain(target);
    }
  });

  it('succeeds with status succeeded when every job completes', async () => {
    emulator = await startTestEmulator();
    const result = await prepareRun(emulator, targetsYaml(3)).run();
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('succeeded');
    expect(Object.keys(JSON.parse(result.outputs.artifacts ?? '{}'))).toEqual(['t0', 't1', 't2']);
  });
});

describe('dry run', () => {
  it('prints the plan and makes no AWS call, without credentials', async () => {
    emulator = await startTestEmulator();
    const result = await prepareRun(emulator, targetsYaml(2)).run({
      inputs: { 'dry-run': 'true' },
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('planned');
    expect(emulator.calls.filter((call) => call.service === 'sagemaker')).toHaveLength(0);
    expect(result.stdout).toContain('"CompilationJobName"');
    const jobs = JSON.parse(result.outputs.jobs ?? '[]') as { target: string; 'job-name': string }[];
    expect(jobs.map((job) => job.target)).toEqual(['t0', 't1']);
  });

  it('filters targets with globs', async () => {
    emulator = await startTestEmulator();
    const result = await prepareRun(emulator, targetsYaml(12)).run({
      inputs: { 'dry-run': 'true', targets: 't1*, t3' },
    });
    const jobs = JSON.parse(result.outputs.jobs ?? '[]') as { target: string }[];
    expect(jobs.map((job) => job.target)).toEqual(['t1', 't3', 't10', 't11']);
  });
});

describe('an invalid config', () => {
  it('annotates every error at its line and creates no job', async () => {
    emulator = await startTestEmulator();
    const config = targetsYaml(2)
      .replace('device: rasp4b', 'device: jetson_nan0')
      .replace('PYTORCH', 'PYTORCHH');
    const result = await prepareRun(emulator, config).run();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error file=neo\.yml,line=6,col=\d+,title=[^:]*::.*PYTORCHH/);
    expect(result.stdout).toMatch(/::error file=neo\.yml,line=15,col=\d+,title=[^:]*::.*jetson_nan0/);
    expect(result.stdout).toMatch(/::error::neo\.yml has 2 errors; no job was created\./);
    expect(emulator.calls.filter((call) => call.service === 'sagemaker')).toHaveLength(0);
    expect(result.outputs.status).toBe('failed');
  });

  it('refuses two targets that would overwrite each other’s artifact', async () => {
    emulator = await startTestEmulator();
    const config = targetsYaml(2)
      .replace('s3-location: s3://artifacts/resnet50/${target}/', 's3-location: s3://artifacts/resnet50/')
      .replace('device: rasp4b', 'device: jetson_nano');
    const result = await prepareRun(emulator, config).run();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error file=neo\.yml,line=14,col=\d+,title=[^:]*::targets 't0' and 't1' would both write s3:\/\/artifacts\/resnet50\/model-jetson_nano\.tar\.gz/,
    );
    expect(sagemakerCalls(emulator, 'CreateCompilationJob')).toHaveLength(0);
  });

  it('says what to do when the config file is missing', async () => {
    emulator = await startTestEmulator();
    const result = await prepareRun(emulator, targetsYaml(1)).run({ inputs: { config: 'models/neo.yml' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::Config file 'models\/neo\.yml' does not exist/);
    expect(result.outputs.status).toBe('failed');
    expect(result.outputs.jobs).toBe('[]');
  });
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

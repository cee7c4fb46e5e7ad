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

// The complete example of the spec (test/fixtures/config/full.yml) validates and plans to exact requests.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planJobs } from '../../src/plan/plan.ts';
import { configOf, ctx } from './helpers.ts';

const text = readFileSync(new URL('../fixtures/config/full.yml', import.meta.url), 'utf8');
const SHA = ctx.sha;
const IMAGE = '763104351884.dkr.ecr.us-west-2.amazonaws.com/djl-inference:0.29.0-lmi11.0.0-cu124';
const shared = {
  RoleArn: 'arn:aws:iam::123456789012:role/NeoCompile',
  VpcConfig: { SecurityGroupIds: ['sg-0123abcd'], Subnets: ['subnet-0123abcd'] },
  StoppingCondition: { MaxRuntimeInSeconds: 900 },
  Tags: [{ Key: 'team', Value: 'vision' }],
};
const input = {
  S3Uri: 's3://models/resnet50/model.tar.gz',
  Framework: 'PYTORCH',
  FrameworkVersion: '2.0',
  DataInputConfig: '{"input0":[1,3,224,224]}',
};

function jobs() {
  const planned = planJobs(configOf(text), ctx);
  expect(planned.errors).toEqual([]);
  return Object.fromEntries(planned.jobs.map((job) => [job.target, job]));
}

describe('full example', () => {
  it('validates and plans one job per target, in file order', () => {
    const planned = planJobs(configOf(text), ctx);
    expect(planned.jobs.map((job) => [job.target, job.kind, job.device, job.region])).toEqual([
      ['jetson-nano', 'compilation', 'jetson_nano', 'us-west-2'],
      ['tx2-trt', 'compilation', 'LINUX/ARM64/NVIDIA', 'us-west-2'],
      ['pixel', 'compilation', 'ANDROID/ARM64', 'us-west-2'],
      ['coreml', 'compilation', 'coreml', 'us-west-2'],
      ['from-registry', 'compilation', 'ml_c5', 'us-west-2'],
      ['llama-g5', 'optimization', 'ml.g5.12xlarge', 'us-west-2'],
    ]);
    expect(planned.jobs.map((job) => job.position)).toEqual([
      { line: 17, col: 5 },
      { line: 19, col: 5 },
      { line: 22, col: 5 },
      { line: 25, col: 5 },
      { line: 28, col: 5 },
      { line: 31, col: 5 },
    ]);
    for (const job of planned.jobs) {
      expect(job.jobName).toMatch(/^resnet50-[a-z0-9-]+-[0-9a-f]{12}$/);
      expect(job.jobName).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
      expect(job.jobName.startsWith(`resnet50-${job.target}-`)).toBe(true);
    }
  });

  it('plans the device target with inherited defaults', () => {
    const job = jobs()['jetson-nano'];
    expect(job?.request).toEqual({
      CompilationJobName: job?.jobName,
      ...shared,
      InputConfig: input,
      OutputConfig: {
        S3OutputLocation: `s3://artifacts/resnet50/${SHA}/`,
        TargetDevice: 'jetson_nano',
        KmsKeyId: 'alias/neo',
      },
    });
  });

  it('plans the NVIDIA platform target with its compiler options as JSON', () => {
    const job = jobs()['tx2-trt'];
    expect(job?.request).toEqual({
      CompilationJobName: job?.jobName,
      ...shared,
      InputConfig: input,
      OutputConfig: {
        S3OutputLocation: `s3://artifacts/resnet50/${SHA}/`,
        TargetPlatform: { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' },
        CompilerOptions: '{"gpu-code":"sm_62","trt-ver":"6.0.1","cuda-ver":"10.0"}',
        KmsKeyId: 'alias/neo',
      },
    });
  });

  it('keeps numbers as numbers in compiler options', () => {
    const job = jobs().pixel;
    expect(job?.kind === 'compilation' && job.request.OutputConfig).toEqual({
      S3OutputLocation: `s3://artifacts/resnet50/${SHA}/`,
      TargetPlatform: { Os: 'ANDROID', Arch: 'ARM64' },
      CompilerOptions: '{"ANDROID_PLATFORM":29}',
      KmsKeyId: 'alias/neo',
    });
  });

  it('replaces data-input-config per target while inheriting the rest of input', () => {
    const job = jobs().coreml;
    expect(job?.kind === 'compilation' && job.request.InputConfig).toEqual({
      ...input,
      DataInputConfig: '{"input_1":{"shape":[1,224,224,3]}}',
    });
  });

  it('sends no InputConfig for a model package', () => {
    const job = jobs()['from-registry'];
    expect(job?.request).toEqual({
      CompilationJobName: job?.jobName,
      ...shared,
      ModelPackageVersionArn: 'arn:aws:sagemaker:us-west-2:123456789012:model-package/resnet/3',
      OutputConfig: {
        S3OutputLocation: `s3://artifacts/resnet50/${SHA}/`,
        TargetDevice: 'ml_c5',
        KmsKeyId: 'alias/neo',
      },
    });
  });

  it('plans the optimization target with top-level output, role, tags, vpc', () => {
    const job = jobs()['llama-g5'];
    expect(job?.request).toEqual({
      OptimizationJobName: job?.jobName,
      ...shared,
      StoppingCondition: { MaxRuntimeInSeconds: 900 },
      ModelSource: { S3: { S3Uri: 's3://models/llama/', ModelAccessConfig: { AcceptEula: true } } },
      DeploymentInstanceType: 'ml.g5.12xlarge',
      OptimizationConfigs: [
        { ModelQuantizationConfig: { Image: IMAGE, OverrideEnvironment: { OPTION_QUANTIZE: 'awq' } } },
      ],
      OutputConfig: { S3OutputLocation: `s3://artifacts/resnet50/${SHA}/`, KmsKeyId: 'alias/neo' },
    });
  });

  it('gives the same names for the same run and new names for a new commit', () => {
    const first = planJobs(configOf(text), ctx).jobs.map((job) => job.jobName);
    const again = planJobs(configOf(text), ctx).jobs.map((job) => job.jobName);
    const nextCommit = { ...ctx, sha: 'fedcba9876543210fedcba9876543210fedcba98' };
    const next = planJobs(configOf(text, nextCommit), nextCommit).jobs.map((job) => job.jobName);
    expect(again).toEqual(first);
    first.forEach((name, index) => {
      expect(next[index]).not.toEqual(name);
    });
  });
});

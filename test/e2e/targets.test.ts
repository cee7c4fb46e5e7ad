// End-to-end: optimization targets and targets spread over several regions.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.ts';
import { prepareRun, sagemakerCalls, startTestEmulator } from './helpers.ts';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const IMAGE = '763104351884.dkr.ecr.us-west-2.amazonaws.com/djl-inference:0.29.0-lmi11.0.0-cu124';

describe('an optimization target next to compilation targets', () => {
  it('runs a CreateOptimizationJob with the exact request and reports its output location', async () => {
    emulator = await startTestEmulator();
    emulator.s3.store.putObject('models', 'llama/config.json', Buffer.from('{}'));
    const config = `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
job-prefix: llm
output:
  s3-location: s3://artifacts/llm/
targets:
  - name: nano
    device: jetson_nano
    input: {s3-uri: s3://models/resnet50/model.tar.gz, framework: PYTORCH, framework-version: "2.0", data-input-config: {input0: [1, 3, 224, 224]}}
  - name: llama-g5
    kind: optimization
    instance-type: ml.g5.12xlarge
    model: {s3-uri: s3://models/llama/, accept-eula: true}
    optimizations:
      - quantization: {image: ${IMAGE}, environment: {OPTION_QUANTIZE: awq}}
`;
    const result = await prepareRun(emulator, config).run();
    expect(result.stdout).not.toContain('::error');
    expect(result.code).toBe(0);
    const creates = sagemakerCalls(emulator, 'CreateOptimizationJob');
    expect(creates).toHaveLength(1);
    expect(creates[0]?.body).toEqual({
      OptimizationJobName: expect.stringMatching(/^llm-llama-g5-[0-9a-f]+$/),
      RoleArn: 'arn:aws:iam::123456789012:role/NeoCompile',
      ModelSource: { S3: { S3Uri: 's3://models/llama/', ModelAccessConfig: { AcceptEula: true } } },
      DeploymentInstanceType: 'ml.g5.12xlarge',
      OptimizationConfigs: [
        { ModelQuantizationConfig: { Image: IMAGE, OverrideEnvironment: { OPTION_QUANTIZE: 'awq' } } },
      ],
      OutputConfig: { S3OutputLocation: 's3://artifacts/llm/' },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
    });
    const jobs = JSON.parse(result.outputs.jobs ?? '[]') as Record<string, unknown>[];
    expect(jobs.find((job) => job.target === 'llama-g5')).toMatchObject({
      kind: 'optimization',
      status: 'COMPLETED',
      artifact: 's3://artifacts/llm/',
      'job-arn': expect.stringContaining(':optimization-job/'),
    });
    expect(sagemakerCalls(emulator, 'ListOptimizationJobs').length).toBeGreaterThan(0);
  });

  it('reports an empty model prefix before creating any job', async () => {
    emulator = await startTestEmulator();
    const config = `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
output: {s3-location: s3://artifacts/llm/}
targets:
  - name: llama-g5
    kind: optimization
    instance-type: ml.g5.12xlarge
    model: {s3-uri: s3://models/nothing-here/}
    optimizations:
      - compilation: {image: ${IMAGE}}
`;
    const result = await prepareRun(emulator, config).run();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error file=neo\.yml,line=8,col=\d+,title=Model not found in S3::s3:\/\/models\/nothing-here\/ holds no objects/,
    );
    expect(sagemakerCalls(emulator, 'CreateOptimizationJob')).toHaveLength(0);
  });
});

describe('targets in several regions', () => {
  it('creates each job in its region, sweeps per region, and reports them in one table', async () => {
    emulator = await startTestEmulator();
    const config = `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
job-prefix: multi
input: {s3-uri: s3://models/resnet50/model.tar.gz, framework: PYTORCH, framework-version: "2.0", data-input-config: {input0: [1, 3, 224, 224]}}
output: {s3-location: "s3://artifacts-\${region}/multi/"}
targets:
  - name: oregon
    device: ml_c5
  - name: virginia
    device: ml_c5
    region: us-east-1
  - name: trainium
    device: ml_trn1
    region: us-east-1
`;
    const result = await prepareRun(emulator, config).run();
    expect(result.code).toBe(0);
    const regionOf = (target: string) =>
      sagemakerCalls(emulator as Emulator, 'CreateCompilationJob').find((call) =>
        (call.body as { CompilationJobName: string }).CompilationJobName.includes(`-${target}-`),
      )?.region;
    expect(regionOf('oregon')).toBe('us-west-2');
    expect(regionOf('virginia')).toBe('us-east-1');
    expect(regionOf('trainium')).toBe('us-east-1');
    const listRegions = new Set(sagemakerCalls(emulator, 'ListCompilationJobs').map((call) => call.region));
    expect(listRegions).toEqual(new Set(['us-west-2', 'us-east-1']));
    const artifacts = JSON.parse(result.outputs.artifacts ?? '{}') as Record<string, string>;
    expect(artifacts.virginia).toMatch(/^s3:\/\/artifacts-us-east-1\/multi\//);
    expect(result.summary).toContain('oregon');
    expect(result.summary).toContain('virginia');
  });

  it('rejects ml_inf2 outside us-east-2 at its line before any call', async () => {
    emulator = await startTestEmulator();
    const config = `version: 1
role-arn: arn:aws:iam::123456789012:role/NeoCompile
input: {s3-uri: s3://models/resnet50/model.tar.gz, framework: PYTORCH, framework-version: "2.0", data-input-config: {input0: [1, 3, 224, 224]}}
output: {s3-location: s3://artifacts/x/}
targets:
  - name: inf2
    device: ml_inf2
`;
    const result = await prepareRun(emulator, config).run();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error file=neo\.yml,line=7,col=\d+,[^\n]*us-east-2/);
    expect(emulator.calls.filter((call) => call.service !== 'github')).toHaveLength(0);
  });
});

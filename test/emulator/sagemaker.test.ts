// Drives the SageMaker emulator with the real @aws-sdk/client-sagemaker over HTTP.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  CreateCompilationJobCommand,
  type CreateCompilationJobCommandInput,
  CreateOptimizationJobCommand,
  type CreateOptimizationJobCommandInput,
  DescribeCompilationJobCommand,
  type DescribeCompilationJobCommandOutput,
  DescribeOptimizationJobCommand,
  ListCompilationJobsCommand,
  type ListCompilationJobsCommandInput,
  ListOptimizationJobsCommand,
  ListTrainingJobsCommand,
  paginateListCompilationJobs,
  SageMakerClient,
  StopCompilationJobCommand,
  StopOptimizationJobCommand,
  type TargetPlatform,
} from '@aws-sdk/client-sagemaker';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSageMakerEmulator, type SageMakerEmulator } from '../../emulator/sagemaker.ts';
import type { ObjectStore, RecordedCall } from '../../emulator/types.ts';

// ---------------------------------------------------------------------------------------------------------------
// Harness

function memoryStore(): ObjectStore & { objects: Map<string, Buffer> } {
  const buckets = new Set<string>();
  const objects = new Map<string, Buffer>();
  return {
    objects,
    putObject(bucket, key, body) {
      buckets.add(bucket);
      objects.set(`${bucket}/${key}`, body);
      return { etag: `"${createHash('md5').update(body).digest('hex')}"` };
    },
    getObject(bucket, key) {
      const body = objects.get(`${bucket}/${key}`);
      if (!body) return undefined;
      return { body, etag: '"x"', contentType: 'application/octet-stream', lastModified: 0 };
    },
    listBuckets: () => [...buckets],
    createBucket: (bucket) => void buckets.add(bucket),
  };
}

let emu: SageMakerEmulator;
let store: ReturnType<typeof memoryStore>;
let calls: RecordedCall[];
let server: http.Server;
let endpoint: string;
const clients: SageMakerClient[] = [];

function client(region = 'us-west-2', maxAttempts = 1, requestTimeout?: number): SageMakerClient {
  const c = new SageMakerClient({
    endpoint,
    region,
    // Without throwOnRequestTimeout, @smithy/node-http-handler 4.x only logs a warning when requestTimeout passes.
    ...(requestTimeout === undefined
      ? {}
      : { requestHandler: { requestTimeout, throwOnRequestTimeout: true } }),
    // The SDK's own classification of retryable errors, with short backoffs to keep the tests fast.
    retryStrategy: new ConfiguredRetryStrategy(maxAttempts, () => 5),
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  });
  clients.push(c);
  return c;
}

let sm: SageMakerClient;

beforeEach(async () => {
  store = memoryStore();
  calls = [];
  emu = createSageMakerEmulator({
    store,
    record: (c) => calls.push(c),
    options: { timing: { startingMs: 20, inProgressMs: 40, stoppingMs: 20 } },
  });
  server = http.createServer(emu.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sm = client();
});

afterEach(async () => {
  // Every answer the emulator gave in the test fits the model's output shapes.
  expect(emu.responseViolations()).toEqual([]);
  emu.close();
  for (const c of clients.splice(0)) c.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let counter = 0;
function compilationRequest(
  overrides: Partial<CreateCompilationJobCommandInput> = {},
): CreateCompilationJobCommandInput {
  counter++;
  return {
    CompilationJobName: `resnet-jetson-${counter}`,
    RoleArn: 'arn:aws:iam::123456789012:role/service-role/NeoRole',
    InputConfig: {
      S3Uri: 's3://models/resnet/model.tar.gz',
      DataInputConfig: '{"input":[1,224,224,3]}',
      Framework: 'TENSORFLOW',
      FrameworkVersion: '2.9',
    },
    OutputConfig: { S3OutputLocation: 's3://out/compiled/', TargetDevice: 'jetson_nano' },
    StoppingCondition: { MaxRuntimeInSeconds: 900 },
    ...overrides,
  };
}

function optimizationRequest(
  overrides: Partial<CreateOptimizationJobCommandInput> = {},
): CreateOptimizationJobCommandInput {
  counter++;
  return {
    OptimizationJobName: `llama-awq-${counter}`,
    RoleArn: 'arn:aws:iam::123456789012:role/OptimizationRole',
    ModelSource: { S3: { S3Uri: 's3://models/llama/', ModelAccessConfig: { AcceptEula: true } } },
    DeploymentInstanceType: 'ml.g5.2xlarge',
    OptimizationConfigs: [{ ModelQuantizationConfig: { OverrideEnvironment: { OPTION_QUANTIZE: 'awq' } } }],
    OutputConfig: { S3OutputLocation: 's3://out/optimized/' },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    ...overrides,
  };
}

interface SdkError extends Error {
  $metadata: { httpStatusCode?: number; attempts?: number };
  $fault?: string;
}

async function failure(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error('expected the call to fail');
}

async function waitForStatus(
  name: string,
  status: string,
  c = sm,
): Promise<DescribeCompilationJobCommandOutput> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const d = await c.send(new DescribeCompilationJobCommand({ CompilationJobName: name }));
    if (d.CompilationJobStatus === status) return d;
    if (Date.now() > deadline)
      throw new Error(`${name} stayed ${d.CompilationJobStatus}, expected ${status}`);
    await sleep(5);
  }
}

async function waitForOptimizationStatus(name: string, status: string) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const d = await sm.send(new DescribeOptimizationJobCommand({ OptimizationJobName: name }));
    if (d.OptimizationJobStatus === status) return d;
    if (Date.now() > deadline)
      throw new Error(`${name} stayed ${d.OptimizationJobStatus}, expected ${status}`);
    await sleep(5);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the validation cases build deliberately malformed requests
type Loose = Record<string, any>;

/** Deep-clones a valid request and applies a mutation that may make it invalid in any way. */
function mutate<T>(base: T, fn: (r: Loose) => void): T {
  const r = structuredClone(base) as Loose;
  fn(r);
  return r as T;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

const PLATFORM_NVIDIA: TargetPlatform = { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'NVIDIA' };
const NVIDIA_OPTIONS = "{'gpu-code': 'sm_62', 'trt-ver': '6.0.1', 'cuda-ver': '10.0'}";

const compilationCases: [string, (r: Loose) => void, string][] = [
  ['name missing', (r) => delete r.CompilationJobName, 'compilationJobName'],
  ['name with underscore', (r) => (r.CompilationJobName = 'bad_name'), 'compilationJobName'],
  ['name starting with a dash', (r) => (r.CompilationJobName = '-abc'), 'compilationJobName'],
  ['name of 64 characters', (r) => (r.CompilationJobName = 'a'.repeat(64)), 'compilationJobName'],
  ['role missing', (r) => delete r.RoleArn, 'roleArn'],
  ['role not an IAM role ARN', (r) => (r.RoleArn = 'arn:aws:iam::123456789012:user/bob'), 'roleArn'],
  ['role with a short account id', (r) => (r.RoleArn = 'arn:aws:iam::1234:role/NeoRole'), 'roleArn'],
  [
    'role over 2048 chars',
    (r) => (r.RoleArn = `arn:aws:iam::123456789012:role/${'r'.repeat(2030)}`),
    'roleArn',
  ],
  ['OutputConfig missing', (r) => delete r.OutputConfig, 'outputConfig'],
  [
    'S3OutputLocation missing',
    (r) => delete r.OutputConfig.S3OutputLocation,
    'outputConfig.s3OutputLocation',
  ],
  [
    'S3OutputLocation not s3/https',
    (r) => (r.OutputConfig.S3OutputLocation = 'ftp://b/x'),
    's3OutputLocation',
  ],
  [
    'S3OutputLocation over 1024',
    (r) => (r.OutputConfig.S3OutputLocation = `s3://b/${'k'.repeat(1020)}`),
    's3OutputLocation',
  ],
  ['StoppingCondition missing', (r) => delete r.StoppingCondition, 'stoppingCondition'],
  [
    'both InputConfig and ModelPackageVersionArn',
    (r) => (r.ModelPackageVersionArn = 'arn:aws:sagemaker:us-west-2:123456789012:model-package/resnet/1'),
    'ModelPackageVersionArn',
  ],
  ['neither InputConfig nor ModelPackageVersionArn', (r) => delete r.InputConfig, 'InputConfig'],
  [
    'ModelPackageVersionArn bad pattern',
    (r) => {
      delete r.InputConfig;
      r.ModelPackageVersionArn = 'arn:aws:sagemaker:us-west-2:123456789012:model/resnet';
    },
    'modelPackageVersionArn',
  ],
  [
    'both TargetDevice and TargetPlatform',
    (r) => (r.OutputConfig.TargetPlatform = { Os: 'LINUX', Arch: 'X86_64' }),
    'TargetPlatform',
  ],
  ['neither TargetDevice nor TargetPlatform', (r) => delete r.OutputConfig.TargetDevice, 'TargetDevice'],
  [
    'TargetDevice not in the enum',
    (r) => (r.OutputConfig.TargetDevice = 'jetson_orin'),
    'outputConfig.targetDevice',
  ],
  ['ml_trn1 outside us-east-1', (r) => (r.OutputConfig.TargetDevice = 'ml_trn1'), 'TargetDevice ml_trn1'],
  ['ml_inf2 outside us-east-2', (r) => (r.OutputConfig.TargetDevice = 'ml_inf2'), 'TargetDevice ml_inf2'],
  ['Framework not in the enum', (r) => (r.InputConfig.Framework = 'JAX'), 'inputConfig.framework'],
  ['Framework missing', (r) => delete r.InputConfig.Framework, 'inputConfig.framework'],
  [
    'Os not in the enum',
    (r) => {
      delete r.OutputConfig.TargetDevice;
      r.OutputConfig.TargetPlatform = { Os: 'WINDOWS', Arch: 'X86_64' };
    },
    'targetPlatform.os',
  ],
  [
    'Arch not in the enum',
    (r) => {
      delete r.OutputConfig.TargetDevice;
      r.OutputConfig.TargetPlatform = { Os: 'LINUX', Arch: 'RISCV' };
    },
    'targetPlatform.arch',
  ],
  [
    'Accelerator not in the enum',
    (r) => {
      delete r.OutputConfig.TargetDevice;
      r.OutputConfig.TargetPlatform = { Os: 'LINUX', Arch: 'ARM64', Accelerator: 'TPU' };
    },
    'targetPlatform.accelerator',
  ],
  [
    'TargetPlatform without Os',
    (r) => {
      delete r.OutputConfig.TargetDevice;
      r.OutputConfig.TargetPlatform = { Arch: 'ARM64' };
    },
    'targetPlatform.os',
  ],
  ['S3Uri missing', (r) => delete r.InputConfig.S3Uri, 'inputConfig.s3Uri'],
  ['S3Uri bad scheme', (r) => (r.InputConfig.S3Uri = 'gs://b/model.tar.gz'), 'inputConfig.s3Uri'],
  [
    'S3Uri over 1024',
    (r) => (r.InputConfig.S3Uri = `s3://b/${'k'.repeat(1020)}.tar.gz`),
    'inputConfig.s3Uri',
  ],
  ['S3Uri not a .tar.gz archive', (r) => (r.InputConfig.S3Uri = 's3://b/model.zip'), 'S3Uri'],
  [
    'FrameworkVersion too short',
    (r) => (r.InputConfig.FrameworkVersion = '2'),
    'inputConfig.frameworkVersion',
  ],
  ['FrameworkVersion too long', (r) => (r.InputConfig.FrameworkVersion = '2.123456789'), 'frameworkVersion'],
  ['FrameworkVersion bad pattern', (r) => (r.InputConfig.FrameworkVersion = 'v2.9'), 'frameworkVersion'],
  [
    'FrameworkVersion for KERAS',
    (r) => {
      r.InputConfig.Framework = 'KERAS';
      r.InputConfig.DataInputConfig = '{"input_1":[1,3,224,224]}';
    },
    'FrameworkVersion',
  ],
  ['DataInputConfig empty', (r) => (r.InputConfig.DataInputConfig = ''), 'inputConfig.dataInputConfig'],
  [
    'DataInputConfig over 16384',
    (r) => (r.InputConfig.DataInputConfig = `{"input":[${'1,'.repeat(8200)}1]}`),
    'dataInputConfig',
  ],
  ['DataInputConfig not JSON', (r) => (r.InputConfig.DataInputConfig = '{input: [1,224]'), 'DataInputConfig'],
  ['DataInputConfig missing for TENSORFLOW', (r) => delete r.InputConfig.DataInputConfig, 'DataInputConfig'],
  [
    'DataInputConfig list for TENSORFLOW',
    (r) => (r.InputConfig.DataInputConfig = '[[1,224,224,3]]'),
    'DataInputConfig',
  ],
  [
    'CompilerOptions of 2 chars',
    (r) => (r.OutputConfig.CompilerOptions = '{}'),
    'outputConfig.compilerOptions',
  ],
  [
    'CompilerOptions over 1024',
    (r) => (r.OutputConfig.CompilerOptions = 'x'.repeat(1025)),
    'compilerOptions',
  ],
  [
    'NVIDIA without CompilerOptions',
    (r) => {
      delete r.OutputConfig.TargetDevice;
      r.OutputConfig.TargetPlatform = PLATFORM_NVIDIA;
    },
    'CompilerOptions',
  ],
  [
    'NVIDIA without trt-ver',
    (r) => {
      delete r.OutputConfig.TargetDevice;
      r.OutputConfig.TargetPlatform = PLATFORM_NVIDIA;
      r.OutputConfig.CompilerOptions = "{'gpu-code': 'sm_62', 'cuda-ver': '10.0'}";
    },
    'trt-ver',
  ],
  [
    'ANDROID_PLATFORM outside 21..29',
    (r) => {
      delete r.OutputConfig.TargetDevice;
      r.OutputConfig.TargetPlatform = { Os: 'ANDROID', Arch: 'ARM64' };
      r.OutputConfig.CompilerOptions = "{'ANDROID_PLATFORM': 30}";
    },
    'ANDROID_PLATFORM',
  ],
  ['KmsKeyId in no KMS format', (r) => (r.OutputConfig.KmsKeyId = 'my-key'), 'KmsKeyId'],
  ['KmsKeyId bad characters', (r) => (r.OutputConfig.KmsKeyId = 'alias/my key'), 'outputConfig.kmsKeyId'],
  [
    '51 tags',
    (r) => (r.Tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))),
    "'tags'",
  ],
  [
    'duplicate tag keys',
    (r) =>
      (r.Tags = [
        { Key: 'team', Value: 'a' },
        { Key: 'team', Value: 'b' },
      ]),
    'Tags',
  ],
  ['empty tag key', (r) => (r.Tags = [{ Key: '', Value: 'v' }]), 'tags.1.member.key'],
  ['tag key over 128', (r) => (r.Tags = [{ Key: 'k'.repeat(129), Value: 'v' }]), 'tags.1.member.key'],
  ['tag value over 256', (r) => (r.Tags = [{ Key: 'k', Value: 'v'.repeat(257) }]), 'tags.1.member.value'],
  ['tag key bad characters', (r) => (r.Tags = [{ Key: 'a*b', Value: 'v' }]), 'tags.1.member.key'],
  ['MaxRuntimeInSeconds 0', (r) => (r.StoppingCondition.MaxRuntimeInSeconds = 0), 'maxRuntimeInSeconds'],
  [
    'MaxRuntimeInSeconds over 28 days',
    (r) => (r.StoppingCondition.MaxRuntimeInSeconds = 2419201),
    'maxRuntimeInSeconds',
  ],
  [
    'MaxPendingTimeInSeconds under 7200',
    (r) => (r.StoppingCondition.MaxPendingTimeInSeconds = 7199),
    'maxPendingTimeInSeconds',
  ],
  [
    'MaxPendingTimeInSeconds over 28 days',
    (r) => (r.StoppingCondition.MaxPendingTimeInSeconds = 2419201),
    'maxPendingTimeInSeconds',
  ],
  ['MaxWaitTimeInSeconds 0', (r) => (r.StoppingCondition.MaxWaitTimeInSeconds = 0), 'maxWaitTimeInSeconds'],
  [
    'MaxWaitTimeInSeconds below MaxRuntimeInSeconds',
    (r) => (r.StoppingCondition.MaxWaitTimeInSeconds = 600),
    'MaxWaitTimeInSeconds',
  ],
  [
    'no security group',
    (r) => (r.VpcConfig = { SecurityGroupIds: [], Subnets: ['subnet-1'] }),
    'vpcConfig.securityGroupIds',
  ],
  [
    'six security groups',
    (r) => (r.VpcConfig = { SecurityGroupIds: ['a', 'b', 'c', 'd', 'e', 'f'], Subnets: ['subnet-1'] }),
    'vpcConfig.securityGroupIds',
  ],
  [
    'security group bad characters',
    (r) => (r.VpcConfig = { SecurityGroupIds: ['sg_1'], Subnets: ['subnet-1'] }),
    'vpcConfig.securityGroupIds.1.member',
  ],
  [
    'security group over 32',
    (r) => (r.VpcConfig = { SecurityGroupIds: [`sg-${'a'.repeat(30)}`], Subnets: ['subnet-1'] }),
    'vpcConfig.securityGroupIds.1.member',
  ],
  ['no subnet', (r) => (r.VpcConfig = { SecurityGroupIds: ['sg-1'], Subnets: [] }), 'vpcConfig.subnets'],
  [
    '17 subnets',
    (r) =>
      (r.VpcConfig = { SecurityGroupIds: ['sg-1'], Subnets: Array.from({ length: 17 }, (_, i) => `s-${i}`) }),
    'vpcConfig.subnets',
  ],
  ['subnets missing', (r) => (r.VpcConfig = { SecurityGroupIds: ['sg-1'] }), 'vpcConfig.subnets'],
  // Issue 12: what the API model refuses although a YAML config may produce it.
  [
    'CompilerOptions with a trailing newline (YAML block scalar)',
    (r) => (r.OutputConfig.CompilerOptions = '{"mcpu": "cortex-a72"}\n'),
    "at 'outputConfig.compilerOptions' failed to satisfy constraint: Member must satisfy regular expression pattern: .*",
  ],
  [
    'CompilerOptions with U+2028',
    (r) => (r.OutputConfig.CompilerOptions = '{"a": 1}\u2028'),
    'outputConfig.compilerOptions',
  ],
  [
    'MaxRuntimeInSeconds above int32',
    (r) => (r.StoppingCondition.MaxRuntimeInSeconds = 2 ** 31),
    "at 'stoppingCondition.maxRuntimeInSeconds' failed to satisfy constraint: Member must have value less than or equal to",
  ],
  ['tag without Value', (r) => (r.Tags = [{ Key: 'team' }]), "Value null at 'tags.1.member.value'"],
  [
    'S3Uri with a line break',
    (r) => (r.InputConfig.S3Uri = 's3://b/model\n.tar.gz'),
    "at 'inputConfig.s3Uri' failed to satisfy constraint: Member must satisfy regular expression pattern",
  ],
];

describe('CreateCompilationJob validation', () => {
  it.each(compilationCases)(
    'rejects %s with ValidationException naming the member',
    async (_label, fn, member) => {
      const err = await failure(sm.send(new CreateCompilationJobCommand(mutate(compilationRequest(), fn))));
      expect(err.name).toBe('ValidationException');
      expect(err.$metadata.httpStatusCode).toBe(400);
      expect(err.$fault).toBe('client');
      expect(err.message.toLowerCase()).toContain(member.toLowerCase());
      expect(emu.jobs()).toHaveLength(0);
    },
  );

  it('formats schema violations like the service and reports all of them at once', async () => {
    const bad = mutate(compilationRequest(), (r) => {
      r.CompilationJobName = 'bad_name';
      r.OutputConfig.TargetDevice = 'jetson_orin';
    });
    const err = await failure(sm.send(new CreateCompilationJobCommand(bad)));
    expect(err.message).toMatch(/^2 validation errors detected: /);
    expect(err.message).toContain(
      // The pattern as the API model (botocore) spells it: unanchored, matched against the whole value.
      "Value 'bad_name' at 'compilationJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
    );
    expect(err.message).toContain(
      "Value 'jetson_orin' at 'outputConfig.targetDevice' failed to satisfy constraint",
    );
    const single = await failure(
      sm.send(new CreateCompilationJobCommand(mutate(compilationRequest(), (r) => delete r.RoleArn))),
    );
    expect(single.message).toBe(
      "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    );
  });

  it('accepts the boundary values and the documented alternatives', async () => {
    const ok: CreateCompilationJobCommandInput[] = [
      compilationRequest({ CompilationJobName: `a${'-b'.repeat(31)}` }),
      compilationRequest({
        StoppingCondition: {
          MaxRuntimeInSeconds: 2419200,
          MaxPendingTimeInSeconds: 7200,
          MaxWaitTimeInSeconds: 2419200,
        },
      }),
      compilationRequest({
        InputConfig: undefined,
        ModelPackageVersionArn: 'arn:aws:sagemaker:us-west-2:123456789012:model-package/resnet/3',
      }),
      compilationRequest({
        OutputConfig: {
          S3OutputLocation: 's3://out/x',
          TargetPlatform: PLATFORM_NVIDIA,
          CompilerOptions: NVIDIA_OPTIONS,
        },
      }),
      compilationRequest({
        InputConfig: { S3Uri: 's3://m/model.tar.gz', Framework: 'XGBOOST' },
        OutputConfig: {
          S3OutputLocation: 'https://out.s3.us-west-2.amazonaws.com/prefix',
          TargetPlatform: { Os: 'ANDROID', Arch: 'ARM_EABI' },
          CompilerOptions: "{'ANDROID_PLATFORM': 25, 'mattr': ['+neon']}",
          KmsKeyId: 'arn:aws:kms:us-west-2:111122223333:alias/ExampleAlias',
        },
      }),
      compilationRequest({
        InputConfig: {
          S3Uri: 's3://m/model.tar.gz',
          Framework: 'PYTORCH',
          FrameworkVersion: '1.13',
          DataInputConfig: '[[1,3,224,224]]',
        },
        VpcConfig: { SecurityGroupIds: ['sg-0123abcd'], Subnets: ['subnet-0123abcd'] },
        Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `key-${i}`, Value: '' })),
      }),
    ];
    for (const req of ok) await sm.send(new CreateCompilationJobCommand(req));
    expect(emu.jobs()).toHaveLength(ok.length);

    // ml_trn1 exists in us-east-1 only, ml_inf2 in us-east-2 only.
    await client('us-east-1').send(
      new CreateCompilationJobCommand(
        compilationRequest({ OutputConfig: { S3OutputLocation: 's3://o/', TargetDevice: 'ml_trn1' } }),
      ),
    );
    await client('us-east-2').send(
      new CreateCompilationJobCommand(
        compilationRequest({ OutputConfig: { S3OutputLocation: 's3://o/', TargetDevice: 'ml_inf2' } }),
      ),
    );
    const err = await failure(
      client('us-east-1').send(
        new CreateCompilationJobCommand(
          compilationRequest({ OutputConfig: { S3OutputLocation: 's3://o/', TargetDevice: 'ml_inf2' } }),
        ),
      ),
    );
    expect(err.name).toBe('ValidationException');
  });

  it('answers a wrongly typed member with SerializationException', async () => {
    const bad = mutate(compilationRequest(), (r) => (r.StoppingCondition.MaxRuntimeInSeconds = 'soon'));
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'X-Amz-Target': 'SageMaker.CreateCompilationJob',
        'Content-Type': 'application/x-amz-json-1.1',
      },
      body: JSON.stringify(bad),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('SerializationException');
  });
});

const optimizationCases: [string, (r: Loose) => void, string][] = [
  ['name missing', (r) => delete r.OptimizationJobName, 'optimizationJobName'],
  ['name bad pattern', (r) => (r.OptimizationJobName = 'llama.awq'), 'optimizationJobName'],
  ['role bad pattern', (r) => (r.RoleArn = 'role/x'), 'roleArn'],
  ['ModelSource missing', (r) => delete r.ModelSource, 'modelSource'],
  ['ModelSource.S3 missing', (r) => (r.ModelSource = {}), 'modelSource.s3'],
  ['ModelSource.S3.S3Uri missing', (r) => delete r.ModelSource.S3.S3Uri, 'modelSource.s3.s3Uri'],
  ['ModelSource.S3.S3Uri bad', (r) => (r.ModelSource.S3.S3Uri = 'file:///m'), 'modelSource.s3.s3Uri'],
  ['AcceptEula missing', (r) => (r.ModelSource.S3.ModelAccessConfig = {}), 'acceptEula'],
  ['DeploymentInstanceType missing', (r) => delete r.DeploymentInstanceType, 'deploymentInstanceType'],
  [
    'DeploymentInstanceType not in the enum',
    (r) => (r.DeploymentInstanceType = 'ml.c5.xlarge'),
    'deploymentInstanceType',
  ],
  ['OptimizationConfigs missing', (r) => delete r.OptimizationConfigs, 'optimizationConfigs'],
  ['OptimizationConfigs empty', (r) => (r.OptimizationConfigs = []), 'optimizationConfigs'],
  [
    '11 OptimizationConfigs',
    (r) => (r.OptimizationConfigs = Array.from({ length: 11 }, () => ({ ModelCompilationConfig: {} }))),
    'optimizationConfigs',
  ],
  [
    'OptimizationConfig with two members',
    (r) => (r.OptimizationConfigs = [{ ModelQuantizationConfig: {}, ModelShardingConfig: {} }]),
    'OptimizationConfigs',
  ],
  ['OptimizationConfig with no member', (r) => (r.OptimizationConfigs = [{}]), 'OptimizationConfigs'],
  [
    '26 OptimizationEnvironment entries',
    (r) =>
      (r.OptimizationEnvironment = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`K${i}`, 'v']))),
    'optimizationEnvironment',
  ],
  ['OutputConfig missing', (r) => delete r.OutputConfig, 'outputConfig'],
  ['S3OutputLocation missing', (r) => (r.OutputConfig = {}), 'outputConfig.s3OutputLocation'],
  ['StoppingCondition missing', (r) => delete r.StoppingCondition, 'stoppingCondition'],
  ['MaxRuntimeInSeconds 0', (r) => (r.StoppingCondition = { MaxRuntimeInSeconds: 0 }), 'maxRuntimeInSeconds'],
  ['51 tags', (r) => (r.Tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}` }))), "'tags'"],
  [
    'six security groups',
    (r) => (r.VpcConfig = { SecurityGroupIds: ['a', 'b', 'c', 'd', 'e', 'f'], Subnets: ['s'] }),
    'vpcConfig.securityGroupIds',
  ],
  // Issue 12: what the API model refuses although a YAML config may produce it.
  [
    'MaxInstanceCount above int32',
    (r) => (r.MaxInstanceCount = 2147483648),
    "Value '2147483648' at 'maxInstanceCount' failed to satisfy constraint: Member must have value less than or equal to 2147483647",
  ],
  [
    'OptimizationEnvironment value over 256',
    (r) => (r.OptimizationEnvironment = { OPTION_X: 'v'.repeat(257) }),
    "at 'optimizationEnvironment.OPTION_X.value' failed to satisfy constraint: Member must have length less than or equal to 256",
  ],
  [
    'OptimizationEnvironment key of blanks',
    (r) => (r.OptimizationEnvironment = { '  ': 'v' }),
    "at 'optimizationEnvironment.  .key' failed to satisfy constraint: Member must satisfy regular expression pattern",
  ],
  [
    'OverrideEnvironment value over 256',
    (r) =>
      (r.OptimizationConfigs[0].ModelQuantizationConfig.OverrideEnvironment.OPTION_QUANTIZE = 'a'.repeat(
        257,
      )),
    'optimizationConfigs.1.member.modelQuantizationConfig.overrideEnvironment.OPTION_QUANTIZE.value',
  ],
  [
    'Image with a space',
    (r) => (r.OptimizationConfigs = [{ ModelCompilationConfig: { Image: 'my image' } }]),
    'optimizationConfigs.1.member.modelCompilationConfig.image',
  ],
];

describe('CreateOptimizationJob validation', () => {
  it.each(optimizationCases)(
    'rejects %s with ValidationException naming the member',
    async (_label, fn, member) => {
      const err = await failure(sm.send(new CreateOptimizationJobCommand(mutate(optimizationRequest(), fn))));
      expect(err.name).toBe('ValidationException');
      expect(err.message.toLowerCase()).toContain(member.toLowerCase());
      expect(emu.jobs()).toHaveLength(0);
    },
  );
});

// ---------------------------------------------------------------------------------------------------------------
// Service errors

describe('service errors', () => {
  it('ResourceInUse for a second job with the same name (names compare like the lowercased ARN)', async () => {
    const req = compilationRequest({ CompilationJobName: 'Dup-Job' });
    const { CompilationJobArn } = await sm.send(new CreateCompilationJobCommand(req));
    expect(CompilationJobArn).toBe('arn:aws:sagemaker:us-west-2:123456789012:compilation-job/dup-job');
    for (const name of ['Dup-Job', 'dup-job']) {
      const err = await failure(
        sm.send(new CreateCompilationJobCommand({ ...req, CompilationJobName: name })),
      );
      expect(err.name).toBe('ResourceInUse');
      expect(err.$metadata.httpStatusCode).toBe(400);
    }
    const opt = optimizationRequest();
    await sm.send(new CreateOptimizationJobCommand(opt));
    expect((await failure(sm.send(new CreateOptimizationJobCommand(opt)))).name).toBe('ResourceInUse');
  });

  it('ResourceLimitExceeded past the quota of non-terminal jobs, per kind', async () => {
    emu.options.quota = 3;
    // STOPPING lasts long enough to be seen on a loaded machine.
    emu.options.timing = { startingMs: 10, inProgressMs: 10_000, stoppingMs: 300 };
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const req = compilationRequest();
      names.push(req.CompilationJobName as string);
      await sm.send(new CreateCompilationJobCommand(req));
    }
    const err = await failure(sm.send(new CreateCompilationJobCommand(compilationRequest())));
    expect(err.name).toBe('ResourceLimitExceeded');
    expect(err.message).toContain(
      "The account-level service limit 'Number of concurrent compilation jobs' is 3 Jobs",
    );
    // Optimization jobs have their own quota; other regions too.
    await sm.send(new CreateOptimizationJobCommand(optimizationRequest()));
    await client('eu-west-1').send(new CreateCompilationJobCommand(compilationRequest()));
    // A STOPPING job still counts; once STOPPED its slot is free.
    await sm.send(new StopCompilationJobCommand({ CompilationJobName: names[0] }));
    expect((await failure(sm.send(new CreateCompilationJobCommand(compilationRequest())))).name).toBe(
      'ResourceLimitExceeded',
    );
    await waitForStatus(names[0] as string, 'STOPPED');
    await sm.send(new CreateCompilationJobCommand(compilationRequest()));
    expect(emu.peakConcurrency('compilation', 'us-west-2')).toBe(3);
    expect(emu.peakConcurrency('compilation')).toBe(4);
    expect(emu.peakConcurrency()).toBe(5);
    expect(emu.peakConcurrency('optimization', 'us-west-2')).toBe(1);
  });

  it('ResourceNotFound for unknown jobs', async () => {
    const e1 = await failure(sm.send(new DescribeCompilationJobCommand({ CompilationJobName: 'nope' })));
    expect(e1.name).toBe('ResourceNotFound');
    expect(e1.message).toContain("Could not find compilation job 'nope'");
    const e2 = await failure(sm.send(new StopCompilationJobCommand({ CompilationJobName: 'nope' })));
    expect(e2.name).toBe('ResourceNotFound');
    const e3 = await failure(sm.send(new DescribeOptimizationJobCommand({ OptimizationJobName: 'nope' })));
    expect(e3.name).toBe('ResourceNotFound');
    const e4 = await failure(sm.send(new StopOptimizationJobCommand({ OptimizationJobName: 'nope' })));
    expect(e4.name).toBe('ResourceNotFound');
  });

  it('UnknownOperationException for operations it does not emulate', async () => {
    const err = await failure(sm.send(new ListTrainingJobsCommand({})));
    expect(err.name).toBe('UnknownOperationException');
  });

  it('records every request', async () => {
    const req = compilationRequest();
    await sm.send(new CreateCompilationJobCommand(req));
    await failure(sm.send(new DescribeCompilationJobCommand({ CompilationJobName: 'missing' })));
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      service: 'sagemaker',
      operation: 'CreateCompilationJob',
      region: 'us-west-2',
      status: 200,
      body: { CompilationJobName: req.CompilationJobName },
    });
    expect(calls[1]).toMatchObject({ operation: 'DescribeCompilationJob', status: 400 });
    expect(typeof calls[0]?.time).toBe('number');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Faults

describe('faults', () => {
  it('throttles with ThrottlingException before creating anything, and the SDK retries it', async () => {
    emu.faults.throttleRate = 1;
    const err = await failure(sm.send(new CreateCompilationJobCommand(compilationRequest())));
    expect(err.name).toBe('ThrottlingException');
    expect(err.message).toBe('Rate exceeded');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(emu.jobs()).toHaveLength(0);
    const retrying = client('us-west-2', 3);
    const again = await failure(retrying.send(new ListCompilationJobsCommand({})));
    expect(again.name).toBe('ThrottlingException');
    expect(again.$metadata.attempts).toBe(3);
    expect(calls.filter((c) => c.operation === 'ListCompilationJobs' && c.status === 400)).toHaveLength(3);
  });

  it('answers 500 InternalFailure, which the SDK treats as retryable', async () => {
    emu.faults.errorRate = 1;
    const err = await failure(sm.send(new ListCompilationJobsCommand({})));
    expect(err.name).toBe('InternalFailure');
    expect(err.$metadata.httpStatusCode).toBe(500);
    expect(err.$fault).toBe('server');
    const again = await failure(client('us-west-2', 2).send(new ListCompilationJobsCommand({})));
    expect(again.$metadata.attempts).toBe(2);
  });

  it('restricts faults to the listed operations', async () => {
    emu.faults.throttleRate = 1;
    emu.faults.operations = ['DescribeCompilationJob'];
    const req = compilationRequest();
    await sm.send(new CreateCompilationJobCommand(req));
    const err = await failure(
      sm.send(new DescribeCompilationJobCommand({ CompilationJobName: req.CompilationJobName })),
    );
    expect(err.name).toBe('ThrottlingException');
  });

  it('makes deterministic decisions from the seed', async () => {
    const pattern = async () => {
      const out: string[] = [];
      for (let i = 0; i < 16; i++) {
        out.push(
          await sm.send(new ListCompilationJobsCommand({})).then(
            () => 'ok',
            (e: Error) => e.name,
          ),
        );
      }
      return out.join(',');
    };
    emu.faults.throttleRate = 0.5;
    emu.faults.seed = 42;
    emu.reset();
    const first = await pattern();
    expect(first).toContain('ok');
    expect(first).toContain('ThrottlingException');
    emu.reset();
    expect(await pattern()).toBe(first);
  });

  it('drops connections without a response (job not created)', async () => {
    emu.faults.dropRate = 1;
    const err = await failure(sm.send(new CreateCompilationJobCommand(compilationRequest())));
    expect(err.name).not.toBe('ValidationException');
    expect(err.$metadata?.httpStatusCode).toBeUndefined();
    expect(emu.jobs()).toHaveLength(0);
    expect(calls[0]).toMatchObject({ operation: 'CreateCompilationJob', status: 0 });
  });

  it('dropAfterCreateRate creates the job and then loses the response', async () => {
    emu.faults.dropAfterCreateRate = 1;
    const req = compilationRequest();
    await failure(sm.send(new CreateCompilationJobCommand(req)));
    expect(emu.jobs().map((j) => j.name)).toEqual([req.CompilationJobName]);
    emu.faults.dropAfterCreateRate = 0;
    const retry = await failure(sm.send(new CreateCompilationJobCommand(req)));
    expect(retry.name).toBe('ResourceInUse');
  });

  it('adds latency', async () => {
    emu.faults.latencyMs = 60;
    const t0 = Date.now();
    await sm.send(new ListCompilationJobsCommand({}));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
  });

  it('rate-limits each operation separately', async () => {
    emu.options.rateLimitPerSecond = 2;
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        sm.send(new ListCompilationJobsCommand({})).then(
          () => 'ok',
          (e: Error) => e.name,
        ),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(2);
    expect(results.filter((r) => r === 'ThrottlingException')).toHaveLength(3);
    // Another operation has its own budget.
    await sm.send(new ListOptimizationJobsCommand({}));
  });
});

describe('fault knobs for lost, hung and refused calls', () => {
  /** Service text a hostile or careless service could send: line breaks of every kind and workflow-command text. */
  const HOSTILE = 'first line\nsecond line\r\n::error::not a command\u2028after U+2028 %0A <b>&amp;</b>';

  async function inProgressJob(): Promise<string> {
    emu.options.timing = { startingMs: 5, inProgressMs: 60_000, stoppingMs: 20 };
    const req = compilationRequest();
    await sm.send(new CreateCompilationJobCommand(req));
    await waitForStatus(req.CompilationJobName as string, 'INPROGRESS');
    return req.CompilationJobName as string;
  }

  it('hangRate holds the request unanswered until the client gives up; nothing happens to jobs', async () => {
    emu.faults.hangRate = 1;
    emu.faults.operations = ['CreateCompilationJob'];
    const impatient = client('us-west-2', 1, 300);
    const err = await failure(impatient.send(new CreateCompilationJobCommand(compilationRequest())));
    expect(err.name).toBe('TimeoutError');
    expect(err.$metadata?.httpStatusCode).toBeUndefined();
    expect(emu.jobs()).toHaveLength(0);
    expect(calls).toEqual([
      expect.objectContaining({ operation: 'CreateCompilationJob', status: 0, detail: 'hung' }),
    ]);
    // Other operations are not subject to the fault.
    await impatient.send(new ListCompilationJobsCommand({}));
    emu.faults.hangRate = 0;
    await impatient.send(new CreateCompilationJobCommand(compilationRequest()));
    expect(emu.jobs()).toHaveLength(1);
  });

  it('close() releases hung connections at once', async () => {
    emu.faults.hangRate = 1;
    const pending = failure(sm.send(new ListCompilationJobsCommand({})));
    while (calls.length === 0) await sleep(5);
    emu.close();
    const err = await pending;
    expect(err.$metadata?.httpStatusCode).toBeUndefined();
    expect(calls[0]).toMatchObject({ status: 0, detail: 'hung' });
  });

  it('dropAfterEffectRate creates the job or begins the stop, then loses the answer', async () => {
    const name = await inProgressJob();
    emu.faults.dropAfterEffectRate = 1;
    const stop = await failure(sm.send(new StopCompilationJobCommand({ CompilationJobName: name })));
    expect(stop.$metadata?.httpStatusCode).toBeUndefined();
    expect(emu.jobs()[0]?.history.map((h) => h.status)).toContain('STOPPING');
    const req = compilationRequest();
    await failure(sm.send(new CreateCompilationJobCommand(req)));
    expect(emu.jobs().map((j) => j.name)).toContain(req.CompilationJobName);
    // Reads are not affected.
    await sm.send(new DescribeCompilationJobCommand({ CompilationJobName: name }));
    expect(calls.filter((c) => c.detail === 'dropped-after-effect').map((c) => c.operation)).toEqual([
      'StopCompilationJob',
      'CreateCompilationJob',
    ]);
  });

  it('stopDelayMs answers Stop late and the stop takes effect when answered; changeable at runtime', async () => {
    const name = await inProgressJob();
    emu.options.stopDelayMs = 600;
    let answered = false;
    const stopping = sm.send(new StopCompilationJobCommand({ CompilationJobName: name })).then(() => {
      answered = true;
    });
    await sleep(100);
    expect(answered).toBe(false);
    expect(emu.jobs()[0]?.status).toBe('INPROGRESS');
    await stopping;
    expect(['STOPPING', 'STOPPED']).toContain(emu.jobs()[0]?.status);
    const second = await inProgressJob();
    emu.options.stopDelayMs = 0;
    await sm.send(new StopCompilationJobCommand({ CompilationJobName: second }));
    expect(emu.jobs()[1]?.status).toBe('STOPPING');
  });

  it('close() releases a delayed Stop without stopping the job', async () => {
    const name = await inProgressJob();
    emu.options.stopDelayMs = 60_000;
    const pending = failure(sm.send(new StopCompilationJobCommand({ CompilationJobName: name })));
    await sleep(50);
    emu.close();
    expect((await pending).$metadata?.httpStatusCode).toBeUndefined();
    expect(emu.jobs()[0]?.status).toBe('INPROGRESS');
  });

  it.each([
    ['ExpiredTokenException', 400, 'The security token included in the request is expired'],
    ['InvalidClientTokenId', 403, 'The security token included in the request is invalid.'],
    ['UnrecognizedClientException', 400, 'The security token included in the request is invalid.'],
    [
      'AccessDeniedException',
      400,
      'User: arn:aws:sts::123456789012:assumed-role/NeoCompileRole/GitHubActions is not authorized to perform: sagemaker:ListCompilationJobs because no identity-based policy allows the sagemaker:ListCompilationJobs action',
    ],
  ])(
    'authFailure %s answers %i as the service does, after afterCalls answers',
    async (code, status, message) => {
      emu.options.authFailure = { code, afterCalls: 2 };
      await sm.send(new ListCompilationJobsCommand({}));
      await sm.send(new ListCompilationJobsCommand({}));
      const err = await failure(sm.send(new ListCompilationJobsCommand({})));
      expect(err.name).toBe(code);
      expect(err.message).toBe(message);
      expect(err.$metadata.httpStatusCode).toBe(status);
      expect(calls.map((c) => c.status)).toEqual([200, 200, status]);
    },
  );

  it('authFailure uses the Coral wire form (namespaced __type, x-amzn-ErrorType with suffix)', async () => {
    emu.failAuth('ExpiredTokenException');
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'SageMaker.ListCompilationJobs',
      },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe(
      'ExpiredTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/',
    );
    expect(await res.json()).toEqual({
      __type: 'com.amazon.coral.service#ExpiredTokenException',
      message: 'The security token included in the request is expired',
    });
  });

  it('failAuth switches at runtime, limited to the listed operations, and heals', async () => {
    const req = compilationRequest();
    await sm.send(new CreateCompilationJobCommand(req));
    const name = req.CompilationJobName as string;
    emu.failAuth({ code: 'AccessDeniedException', operations: ['DescribeCompilationJob'] });
    await sm.send(new ListCompilationJobsCommand({}));
    const err = await failure(sm.send(new DescribeCompilationJobCommand({ CompilationJobName: name })));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toContain('sagemaker:DescribeCompilationJob');
    emu.failAuth('ExpiredTokenException');
    expect((await failure(sm.send(new ListCompilationJobsCommand({})))).name).toBe('ExpiredTokenException');
    emu.failAuth(undefined);
    await sm.send(new DescribeCompilationJobCommand({ CompilationJobName: name }));
    // A new failure object counts afterCalls from the moment it is set.
    emu.options.authFailure = { code: 'ExpiredTokenException', afterCalls: 1 };
    await sm.send(new ListCompilationJobsCommand({}));
    expect((await failure(sm.send(new ListCompilationJobsCommand({})))).name).toBe('ExpiredTokenException');
  });

  it('errorMessage replaces the text of injected errors, byte for byte', async () => {
    emu.faults.errorMessage = HOSTILE;
    emu.faults.throttleRate = 1;
    const throttled = await failure(sm.send(new ListCompilationJobsCommand({})));
    expect(throttled.name).toBe('ThrottlingException');
    expect(throttled.message).toBe(HOSTILE);
    emu.faults.throttleRate = 0;
    emu.faults.errorRate = 1;
    const failed = await failure(sm.send(new ListCompilationJobsCommand({})));
    expect(failed.$metadata.httpStatusCode).toBe(500);
    expect(failed.message).toBe(HOSTILE);
  });

  it('FailureReason and artifactFor text survive the wire unchanged', async () => {
    emu.options.failureFor = (name) => (name.endsWith('-bad') ? HOSTILE : undefined);
    emu.options.artifactFor = (name) => (name.endsWith('-odd') ? `s3://out/${HOSTILE}` : undefined);
    await sm.send(new CreateCompilationJobCommand(compilationRequest({ CompilationJobName: 'job-bad' })));
    await sm.send(new CreateCompilationJobCommand(compilationRequest({ CompilationJobName: 'job-odd' })));
    await sm.send(new CreateCompilationJobCommand(compilationRequest({ CompilationJobName: 'job-plain' })));
    expect((await waitForStatus('job-bad', 'FAILED')).FailureReason).toBe(HOSTILE);
    expect((await waitForStatus('job-odd', 'COMPLETED')).ModelArtifacts?.S3ModelArtifacts).toBe(
      `s3://out/${HOSTILE}`,
    );
    const plain = await waitForStatus('job-plain', 'COMPLETED');
    expect(plain.ModelArtifacts?.S3ModelArtifacts).toMatch(
      /^s3:\/\/out\/compiled\/model-jetson_nano\.tar\.gz$/,
    );
    // The service would never send a line break in an S3 URI: the answer check says so.
    expect(emu.responseViolations()).toEqual([
      expect.stringMatching(
        /^DescribeCompilationJob: Value '.*' at 'modelArtifacts.s3ModelArtifacts' failed/s,
      ),
    ]);
    emu.reset();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// State machine and artifacts

describe('compilation job lifecycle', () => {
  it('goes STARTING -> INPROGRESS -> COMPLETED with timestamps', async () => {
    const req = compilationRequest();
    const name = req.CompilationJobName as string;
    const before = Date.now();
    await sm.send(new CreateCompilationJobCommand(req));
    const starting = await sm.send(new DescribeCompilationJobCommand({ CompilationJobName: name }));
    expect(starting.CompilationJobStatus).toBe('STARTING');
    expect(starting.CreationTime).toBeInstanceOf(Date);
    expect(starting.CreationTime?.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(starting.CompilationStartTime).toBeUndefined();
    expect(starting.ModelArtifacts).toBeUndefined();
    const running = await waitForStatus(name, 'INPROGRESS');
    expect(running.CompilationStartTime).toBeInstanceOf(Date);
    const done = await waitForStatus(name, 'COMPLETED');
    const created = done.CreationTime?.getTime() ?? 0;
    const started = done.CompilationStartTime?.getTime() ?? 0;
    const ended = done.CompilationEndTime?.getTime() ?? 0;
    expect(started - created).toBeGreaterThanOrEqual(15);
    expect(ended - started).toBeGreaterThanOrEqual(35);
    expect(done.LastModifiedTime?.getTime()).toBe(ended);
    expect(done.FailureReason).toBeUndefined();
    expect(done).toMatchObject({
      CompilationJobName: name,
      CompilationJobArn: `arn:aws:sagemaker:us-west-2:123456789012:compilation-job/${name}`,
      RoleArn: req.RoleArn,
      InputConfig: req.InputConfig,
      OutputConfig: req.OutputConfig,
      StoppingCondition: { MaxRuntimeInSeconds: 900 },
    });
    const job = emu.jobs()[0];
    expect(job?.history.map((h) => h.status)).toEqual(['STARTING', 'INPROGRESS', 'COMPLETED']);
    expect(job?.startTime).toBe(started);
  });

  it('fails by the default rule with a Neo-style FailureReason', async () => {
    const req = compilationRequest({ CompilationJobName: 'resnet-will-fail' });
    await sm.send(new CreateCompilationJobCommand(req));
    const d = await waitForStatus('resnet-will-fail', 'FAILED');
    expect(d.FailureReason).toMatch(/^ClientError: InputConfiguration: Unable to load the model/);
    expect(d.CompilationEndTime).toBeInstanceOf(Date);
    expect(d.ModelArtifacts).toBeUndefined();
    const viaUri = compilationRequest({
      InputConfig: { S3Uri: 's3://m/fail/model.tar.gz', Framework: 'XGBOOST' },
    });
    await sm.send(new CreateCompilationJobCommand(viaUri));
    await waitForStatus(viaUri.CompilationJobName as string, 'FAILED');
  });

  it('uses failureFor and timingFor when given', async () => {
    emu.options.failureFor = (name) =>
      name.endsWith('-x') ? 'ClientError: CompilationError: unsupported op' : undefined;
    emu.options.timingFor = (name) => (name.endsWith('-x') ? { inProgressMs: 5 } : undefined);
    await sm.send(new CreateCompilationJobCommand(compilationRequest({ CompilationJobName: 'job-x' })));
    const d = await waitForStatus('job-x', 'FAILED');
    expect(d.FailureReason).toBe('ClientError: CompilationError: unsupported op');
  });

  it('stops: STOPPING -> STOPPED, and refuses to stop a terminal job', async () => {
    emu.options.timing = { startingMs: 10, inProgressMs: 10_000, stoppingMs: 300 };
    const req = compilationRequest();
    const name = req.CompilationJobName as string;
    await sm.send(new CreateCompilationJobCommand(req));
    await waitForStatus(name, 'INPROGRESS');
    await sm.send(new StopCompilationJobCommand({ CompilationJobName: name }));
    const stopping = await sm.send(new DescribeCompilationJobCommand({ CompilationJobName: name }));
    expect(stopping.CompilationJobStatus).toBe('STOPPING');
    await sm.send(new StopCompilationJobCommand({ CompilationJobName: name })); // idempotent while stopping
    const stopped = await waitForStatus(name, 'STOPPED');
    expect(stopped.CompilationEndTime).toBeInstanceOf(Date);
    expect(emu.jobs()[0]?.history.map((h) => h.status)).toEqual([
      'STARTING',
      'INPROGRESS',
      'STOPPING',
      'STOPPED',
    ]);
    const err = await failure(sm.send(new StopCompilationJobCommand({ CompilationJobName: name })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain('STOPPED');
  });

  it('times out after StoppingCondition.MaxRuntimeInSeconds', async () => {
    emu.options.timing = { startingMs: 5, inProgressMs: 60_000, stoppingMs: 5 };
    const req = compilationRequest({ StoppingCondition: { MaxRuntimeInSeconds: 1 } });
    await sm.send(new CreateCompilationJobCommand(req));
    const d = await waitForStatus(req.CompilationJobName as string, 'FAILED');
    expect(d.FailureReason).toMatch(/^TimeOut/);
  });

  it("writes the artifact with Neo's naming and returns digest and inference image", async () => {
    const req = compilationRequest({
      InputConfig: {
        S3Uri: 's3://b/models/model.tar.gz',
        Framework: 'PYTORCH',
        FrameworkVersion: '2.0',
        DataInputConfig: '{"input0":[1,3,224,224]}',
      },
      OutputConfig: { S3OutputLocation: 's3://out/prefix/', TargetDevice: 'jetson_nano' },
    });
    await sm.send(new CreateCompilationJobCommand(req));
    const d = await waitForStatus(req.CompilationJobName as string, 'COMPLETED');
    expect(d.ModelArtifacts?.S3ModelArtifacts).toBe('s3://out/prefix/model-jetson_nano.tar.gz');
    const body = store.objects.get('out/prefix/model-jetson_nano.tar.gz');
    expect(body).toBeDefined();
    expect(store.listBuckets()).toContain('out');
    const tarball = gunzipSync(body as Buffer);
    expect(tarball.subarray(257, 262).toString()).toBe('ustar');
    expect(tarball.toString('latin1')).toContain(req.CompilationJobName);
    expect(d.ModelDigests?.ArtifactDigest).toBe(
      createHash('sha256')
        .update(body as Buffer)
        .digest('hex'),
    );
    expect(d.InferenceImage).toMatch(
      /^\d{12}\.dkr\.ecr\.us-west-2\.amazonaws\.com\/sagemaker-neo-pytorch:2\.0-cpu-py3$/,
    );
    expect(emu.jobs()[0]?.artifact).toBe('s3://out/prefix/model-jetson_nano.tar.gz');

    const platform = compilationRequest({
      OutputConfig: {
        S3OutputLocation: 's3://out/p',
        TargetPlatform: PLATFORM_NVIDIA,
        CompilerOptions: NVIDIA_OPTIONS,
      },
    });
    const pkg = compilationRequest({
      InputConfig: undefined,
      ModelPackageVersionArn: 'arn:aws:sagemaker:us-west-2:123456789012:model-package/resnet/1',
      OutputConfig: { S3OutputLocation: 's3://out', TargetDevice: 'ml_c5' },
    });
    await sm.send(new CreateCompilationJobCommand(platform));
    await sm.send(new CreateCompilationJobCommand(pkg));
    const dp = await waitForStatus(platform.CompilationJobName as string, 'COMPLETED');
    expect(dp.ModelArtifacts?.S3ModelArtifacts).toBe('s3://out/p/model-linux_arm64_nvidia.tar.gz');
    const dk = await waitForStatus(pkg.CompilationJobName as string, 'COMPLETED');
    expect(dk.ModelArtifacts?.S3ModelArtifacts).toBe('s3://out/model-ml_c5.tar.gz');
    expect(dk.ModelPackageVersionArn).toBe(pkg.ModelPackageVersionArn);
    expect(store.objects.has('out/model-ml_c5.tar.gz')).toBe(true);
  });

  it('requireInputArtifacts fails jobs whose model is not in the store', async () => {
    emu.options.requireInputArtifacts = true;
    const missing = compilationRequest();
    await sm.send(new CreateCompilationJobCommand(missing));
    const d = await waitForStatus(missing.CompilationJobName as string, 'FAILED');
    expect(d.FailureReason).toContain('NoSuchKey');
    store.putObject('models', 'resnet/model.tar.gz', Buffer.from('model'));
    const present = compilationRequest();
    await sm.send(new CreateCompilationJobCommand(present));
    await waitForStatus(present.CompilationJobName as string, 'COMPLETED');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Listing

describe('ListCompilationJobs', () => {
  const names = Array.from({ length: 25 }, (_, i) => `list-job-${String(i).padStart(2, '0')}`);
  let midpoint: Date;

  beforeEach(async () => {
    emu.options.quota = 100;
    emu.options.timing = { startingMs: 10_000, inProgressMs: 10_000, stoppingMs: 10 };
    for (const [i, name] of names.entries()) {
      if (i === 13) {
        await sleep(5);
        midpoint = new Date();
        await sleep(5);
      }
      await sm.send(new CreateCompilationJobCommand(compilationRequest({ CompilationJobName: name })));
    }
  });

  const all = async (input: ListCompilationJobsCommandInput) => {
    const out: string[] = [];
    for await (const page of paginateListCompilationJobs({ client: sm, pageSize: 7 }, input)) {
      for (const s of page.CompilationJobSummaries ?? []) out.push(s.CompilationJobName as string);
    }
    return out;
  };

  it('pages with MaxResults and NextToken, oldest first by default (the API reference default is Ascending)', async () => {
    const first = await sm.send(new ListCompilationJobsCommand({ MaxResults: 10, SortOrder: 'Descending' }));
    expect(first.CompilationJobSummaries).toHaveLength(10);
    expect(first.CompilationJobSummaries?.[0]).toMatchObject({
      CompilationJobName: 'list-job-24',
      CompilationJobArn: 'arn:aws:sagemaker:us-west-2:123456789012:compilation-job/list-job-24',
      CompilationTargetDevice: 'jetson_nano',
      CompilationJobStatus: 'STARTING',
    });
    expect(first.CompilationJobSummaries?.[0]?.CreationTime).toBeInstanceOf(Date);
    expect(first.CompilationJobSummaries?.[0]?.LastModifiedTime).toBeInstanceOf(Date);
    const second = await sm.send(
      new ListCompilationJobsCommand({ MaxResults: 10, SortOrder: 'Descending', NextToken: first.NextToken }),
    );
    const third = await sm.send(
      new ListCompilationJobsCommand({
        MaxResults: 10,
        SortOrder: 'Descending',
        NextToken: second.NextToken,
      }),
    );
    expect(third.CompilationJobSummaries).toHaveLength(5);
    expect(third.NextToken).toBeUndefined();
    const seen = [first, second, third].flatMap((p) =>
      p.CompilationJobSummaries?.map((s) => s.CompilationJobName),
    );
    expect(seen).toEqual([...names].reverse());
    const defaults = await sm.send(new ListCompilationJobsCommand({}));
    expect(defaults.CompilationJobSummaries).toHaveLength(10);
    expect(defaults.CompilationJobSummaries?.[0]?.CompilationJobName).toBe('list-job-00');
    expect(await all({})).toEqual(names);
  });

  it('sorts by Name, CreationTime and Status in both orders', async () => {
    expect(await all({ SortOrder: 'Ascending' })).toEqual(names);
    expect(await all({ SortBy: 'Name', SortOrder: 'Ascending' })).toEqual(names);
    expect(await all({ SortBy: 'Name', SortOrder: 'Descending' })).toEqual([...names].reverse());
    await sm.send(new StopCompilationJobCommand({ CompilationJobName: 'list-job-03' }));
    const byStatus = await all({ SortBy: 'Status', SortOrder: 'Ascending' });
    expect(byStatus[0]).not.toBe('list-job-03');
    expect(byStatus.at(-1)).toBe('list-job-03'); // STARTING < STOPPING
  });

  it('filters by NameContains, StatusEquals and times', async () => {
    expect((await all({ NameContains: 'job-1' })).sort()).toEqual(names.slice(10, 20));
    for (const n of ['list-job-01', 'list-job-02', 'list-job-07']) {
      await sm.send(new StopCompilationJobCommand({ CompilationJobName: n }));
    }
    await waitForStatus('list-job-07', 'STOPPED');
    await waitForStatus('list-job-01', 'STOPPED');
    await waitForStatus('list-job-02', 'STOPPED');
    expect((await all({ StatusEquals: 'STOPPED' })).sort()).toEqual([
      'list-job-01',
      'list-job-02',
      'list-job-07',
    ]);
    expect(await all({ StatusEquals: 'STARTING' })).toHaveLength(22);
    expect((await all({ CreationTimeAfter: midpoint })).sort()).toEqual(names.slice(13));
    expect((await all({ CreationTimeBefore: midpoint })).sort()).toEqual(names.slice(0, 13));
    expect((await all({ LastModifiedTimeAfter: midpoint })).sort()).toEqual([
      ...['list-job-01', 'list-job-02', 'list-job-07'],
      ...names.slice(13),
    ]);
  });

  it('rejects bad MaxResults, tokens and filters', async () => {
    for (const MaxResults of [0, 101]) {
      const err = await failure(sm.send(new ListCompilationJobsCommand({ MaxResults })));
      expect(err.name).toBe('ValidationException');
      expect(err.message).toContain('maxResults');
    }
    const bad = await failure(sm.send(new ListCompilationJobsCommand({ NextToken: 'not-a-token' })));
    expect(bad.name).toBe('ValidationException');
    expect(bad.message).toContain('NextToken');
    const page = await sm.send(new ListCompilationJobsCommand({ MaxResults: 5 }));
    const other = await failure(
      sm.send(new ListCompilationJobsCommand({ MaxResults: 5, NextToken: page.NextToken, SortBy: 'Name' })),
    );
    expect(other.name).toBe('ValidationException');
    const status = await failure(
      sm.send(
        new ListCompilationJobsCommand({
          StatusEquals: 'DONE' as ListCompilationJobsCommandInput['StatusEquals'],
        }),
      ),
    );
    expect(status.message).toContain('statusEquals');
    const sortBy = await failure(
      sm.send(
        new ListCompilationJobsCommand({ SortBy: 'Size' as ListCompilationJobsCommandInput['SortBy'] }),
      ),
    );
    expect(sortBy.message).toContain('sortBy');
    const contains = await failure(
      sm.send(new ListOptimizationJobsCommand({ OptimizationContains: 'Quantization!' })),
    );
    expect(contains.message).toContain("Value 'Quantization!' at 'optimizationContains' failed to satisfy");
    const describe = await failure(sm.send(new DescribeCompilationJobCommand({ CompilationJobName: 'a_b' })));
    expect(describe.message).toBe(
      "1 validation error detected: Value 'a_b' at 'compilationJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
    );
    const stop = await failure(sm.send(new StopOptimizationJobCommand({ OptimizationJobName: '' })));
    expect(stop.message).toContain("Value '' at 'optimizationJobName' failed to satisfy constraint");
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Regions and optimization jobs

describe('regions', () => {
  it('keeps jobs of each region apart', async () => {
    const east = client('us-east-1');
    const req = compilationRequest({ CompilationJobName: 'same-name' });
    const west = await sm.send(new CreateCompilationJobCommand(req));
    const eastArn = await east.send(new CreateCompilationJobCommand(req));
    expect(west.CompilationJobArn).toBe('arn:aws:sagemaker:us-west-2:123456789012:compilation-job/same-name');
    expect(eastArn.CompilationJobArn).toBe(
      'arn:aws:sagemaker:us-east-1:123456789012:compilation-job/same-name',
    );
    const list = await east.send(new ListCompilationJobsCommand({}));
    expect(list.CompilationJobSummaries?.map((s) => s.CompilationJobArn)).toEqual([
      eastArn.CompilationJobArn,
    ]);
    const err = await failure(
      client('eu-west-1').send(new DescribeCompilationJobCommand({ CompilationJobName: 'same-name' })),
    );
    expect(err.name).toBe('ResourceNotFound');
    expect(
      emu
        .jobs()
        .map((j) => j.region)
        .sort(),
    ).toEqual(['us-east-1', 'us-west-2']);
    expect(calls.map((c) => c.region)).toEqual(['us-west-2', 'us-east-1', 'us-east-1', 'eu-west-1']);
  });
});

describe('optimization jobs', () => {
  it('creates, describes, lists and completes with artifacts', async () => {
    const req = optimizationRequest({
      OptimizationJobName: 'Llama-Awq',
      OptimizationEnvironment: { HF_MODEL_ID: 'meta-llama/Llama-3-8B' },
    });
    const { OptimizationJobArn } = await sm.send(new CreateOptimizationJobCommand(req));
    expect(OptimizationJobArn).toBe('arn:aws:sagemaker:us-west-2:123456789012:optimization-job/Llama-Awq');
    const starting = await sm.send(new DescribeOptimizationJobCommand({ OptimizationJobName: 'Llama-Awq' }));
    expect(starting.OptimizationJobStatus).toBe('STARTING');
    expect(starting).toMatchObject({
      OptimizationJobName: 'Llama-Awq',
      ModelSource: req.ModelSource,
      DeploymentInstanceType: 'ml.g5.2xlarge',
      OptimizationConfigs: req.OptimizationConfigs,
      OptimizationEnvironment: req.OptimizationEnvironment,
      OutputConfig: req.OutputConfig,
      RoleArn: req.RoleArn,
    });
    const list = await sm.send(new ListOptimizationJobsCommand({}));
    expect(list.OptimizationJobSummaries).toHaveLength(1);
    expect(list.OptimizationJobSummaries?.[0]).toMatchObject({
      OptimizationJobName: 'Llama-Awq',
      OptimizationJobArn,
      DeploymentInstanceType: 'ml.g5.2xlarge',
      OptimizationTypes: ['Quantization'],
    });
    const filtered = await sm.send(new ListOptimizationJobsCommand({ OptimizationContains: 'Compilation' }));
    expect(filtered.OptimizationJobSummaries).toHaveLength(0);
    let d = starting;
    while (d.OptimizationJobStatus !== 'COMPLETED') {
      await sleep(5);
      d = await sm.send(new DescribeOptimizationJobCommand({ OptimizationJobName: 'Llama-Awq' }));
    }
    expect(d.OptimizationStartTime).toBeInstanceOf(Date);
    expect(d.OptimizationEndTime).toBeInstanceOf(Date);
    expect(d.OptimizationOutput?.RecommendedInferenceImage).toMatch(
      /\.dkr\.ecr\.us-west-2\.amazonaws\.com\//,
    );
    expect(store.objects.has('out/optimized/config.json')).toBe(true);
    expect(store.objects.has('out/optimized/model.safetensors')).toBe(true);
  });

  it('stops and fails like compilation jobs', async () => {
    // STOPPING lasts long enough to be seen on a loaded machine.
    emu.options.timing = { startingMs: 10, inProgressMs: 10_000, stoppingMs: 300 };
    const req = optimizationRequest();
    const name = req.OptimizationJobName as string;
    await sm.send(new CreateOptimizationJobCommand(req));
    await sm.send(new StopOptimizationJobCommand({ OptimizationJobName: name }));
    const stopping = await sm.send(new DescribeOptimizationJobCommand({ OptimizationJobName: name }));
    expect(stopping.OptimizationJobStatus).toBe('STOPPING');
    await waitForOptimizationStatus(name, 'STOPPED');
    const err = await failure(sm.send(new StopOptimizationJobCommand({ OptimizationJobName: name })));
    expect(err.name).toBe('ValidationException');

    emu.options.timing = { startingMs: 5, inProgressMs: 5, stoppingMs: 5 };
    await sm.send(new CreateOptimizationJobCommand(optimizationRequest({ OptimizationJobName: 'opt-fail' })));
    const failed = await waitForOptimizationStatus('opt-fail', 'FAILED');
    expect(failed.FailureReason).toMatch(/^ClientError/);
    const listed = await sm.send(new ListOptimizationJobsCommand({ StatusEquals: 'FAILED' }));
    expect(listed.OptimizationJobSummaries?.map((s) => s.OptimizationJobName)).toEqual(['opt-fail']);
  });
});

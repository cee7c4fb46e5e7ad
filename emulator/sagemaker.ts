// SageMaker part of the local emulator: speaks AWS JSON 1.1 (X-Amz-Target: SageMaker.<Operation>) exactly as the
// real service does, so the real @aws-sdk/client-sagemaker talks to it through AWS_ENDPOINT_URL_SAGEMAKER.
//
// Every request is validated against the published API model (botocore's service-2.json, reduced to the operations
// the action uses: emulator/sagemaker-model.json), and every answer is checked against the model's output shapes.
// On top, everything the public reference pages (shared/seeds) state about CreateCompilationJob /
// CreateOptimizationJob is enforced with ValidationException. Nothing here reuses the action's own validation.

import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import {
  Framework,
  TargetDevice,
  TargetPlatformAccelerator,
  TargetPlatformOs,
} from '@aws-sdk/client-sagemaker';
import { mulberry32 } from './random.ts';
import {
  MODEL,
  ModelTypeError,
  matchesPattern,
  validateInput,
  validateOutput,
  validationMessage,
  violation,
} from './sagemaker-model.ts';
import { tar } from './tar.ts';
import type {
  AuthFailure,
  EmulatedJob,
  FaultOptions,
  JobTiming,
  ObjectStore,
  RecordedCall,
  SageMakerOptions,
} from './types.ts';

export interface SageMakerEmulator {
  /** Live options: read on every request / job transition, so tests may change them while a run is in progress. */
  options: SageMakerOptions;
  /** Live fault knobs (see FaultOptions). */
  faults: FaultOptions;
  /**
   * Makes the credentials fail from the next request on (`code`, e.g. 'ExpiredTokenException', or a full
   * AuthFailure), or heals them (undefined). Same as assigning `options.authFailure`.
   */
  failAuth(failure: string | AuthFailure | undefined): void;
  handle(req: IncomingMessage, res: ServerResponse): void;
  jobs(): EmulatedJob[];
  /**
   * Highest number of simultaneously non-terminal jobs ever seen. With kind and region: for that pair; with only
   * one of them: across the other dimension (e.g. all regions of a kind); with neither: across everything.
   */
  peakConcurrency(kind?: JobKind, region?: string): number;
  /**
   * Every successful answer is checked against the model's output shapes; this lists the violations so far
   * ("DescribeCompilationJob: Value ... at 'failureReason' failed to satisfy constraint: ..."). Empty unless a
   * test injected text the service would never send (artifactFor, failureFor) or the emulator has a bug.
   */
  responseViolations(): string[];
  reset(): void;
  /** Stops job timers and destroys every held connection (hung requests, delayed stops), so servers close promptly. */
  close(): void;
}

export interface SageMakerEmulatorDeps {
  store: ObjectStore;
  record: (c: RecordedCall) => void;
  options?: Partial<SageMakerOptions>;
  faults?: Partial<FaultOptions>;
}

type JobKind = EmulatedJob['kind'];
type JobStatus = EmulatedJob['status'];
type Json = Record<string, unknown>;

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const DEFAULT_REGION = 'us-east-1';
const ONE_DAY_S = 86_400;
const TWENTY_EIGHT_DAYS_S = 2_419_200;

const TERMINAL: ReadonlySet<JobStatus> = new Set(['COMPLETED', 'FAILED', 'STOPPED']);

/** The operations the emulator answers: exactly those of the reduced model. */
const OPERATIONS: ReadonlySet<string> = new Set(Object.keys(MODEL.operations));

// ---------------------------------------------------------------------------------------------------------------
// Constraints the reference pages (shared/seeds) state beyond the API model (emulator/sagemaker-model.json)

/** CreateCompilationJob page: ModelPackageVersionArn names one of these partitions (the model allows any). */
const MODEL_PACKAGE_ARN_PATTERN =
  '^arn:aws(-cn|-us-gov|-iso-f)?:sagemaker:[a-z0-9\\-]{9,16}:[0-9]{12}:model-package/[\\S]{1,2048}$';

/** KMS key formats listed on the CreateCompilationJob page: key id, key ARN, alias name, alias ARN. */
const KMS_FORMATS = [
  /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/,
  /^alias\/[a-zA-Z0-9/_-]+$/,
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias\/[a-zA-Z0-9/_-]+$/,
];

/** TargetDevices that exist only in one region (CreateCompilationJob OutputConfig.TargetDevice note). */
const REGION_ONLY_DEVICES: Record<string, { region: string; label: string }> = {
  [TargetDevice.ML_TRN1]: { region: 'us-east-1', label: 'US East (N. Virginia)' },
  [TargetDevice.ML_INF2]: { region: 'us-east-2', label: 'US East (Ohio)' },
};

/** Frameworks whose DataInputConfig "you must specify" (dictionary; PyTorch may also use the list format). */
const DATA_INPUT_REQUIRED: ReadonlySet<string> = new Set([
  Framework.TENSORFLOW,
  Framework.KERAS,
  Framework.MXNET,
  Framework.ONNX,
  Framework.DARKNET,
  Framework.PYTORCH,
]);
/** "This API field is only supported for the MXNet, PyTorch, TensorFlow and TensorFlow Lite frameworks." */
const FRAMEWORK_VERSION_SUPPORTED: ReadonlySet<string> = new Set([
  Framework.MXNET,
  Framework.PYTORCH,
  Framework.TENSORFLOW,
  Framework.TFLITE,
]);

const OPTIMIZATION_CONFIG_MEMBERS = [
  'ModelQuantizationConfig',
  'ModelCompilationConfig',
  'ModelShardingConfig',
  'ModelSpeculativeDecodingConfig',
] as const;
const OPTIMIZATION_TYPE: Record<string, string> = {
  ModelQuantizationConfig: 'Quantization',
  ModelCompilationConfig: 'Compilation',
  ModelShardingConfig: 'Sharding',
  ModelSpeculativeDecodingConfig: 'SpeculativeDecoding',
};

/** SageMaker Neo inference image registries (account per region); default for the rest. */
const NEO_IMAGE_ACCOUNT: Record<string, string> = {
  'us-east-1': '785573368785',
  'us-east-2': '007439368137',
  'us-west-1': '710691900526',
  'us-west-2': '301217895009',
  'eu-west-1': '802834080501',
  'eu-central-1': '746233611703',
  'ap-northeast-1': '941853720454',
  'ap-southeast-1': '324986816169',
};

// ---------------------------------------------------------------------------------------------------------------
// Errors and validation helpers

class ApiError extends Error {
  readonly type: string;
  readonly status: number;
  /** How the type is spelled on the wire when it differs from the bare code (`__type` body member, header). */
  readonly wire?: { type: string; header: string };
  constructor(type: string, message: string, status = 400, wire?: { type: string; header: string }) {
    super(message);
    this.type = type;
    this.status = status;
    this.wire = wire;
  }
}

/** Coral's validation error, in its wire form (the SDK reduces both spellings to ValidationException). */
const validation = (message: string) =>
  new ApiError('ValidationException', message, 400, {
    type: 'com.amazon.coral.validate#ValidationException',
    header: 'ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/',
  });

/** The model's constraints, then the reference pages' stricter ones, reported together as the service does. */
function checkRequest(op: string, body: Json): void {
  let errors: string[];
  try {
    errors = validateInput(op, body);
  } catch (e) {
    if (e instanceof ModelTypeError) throw new ApiError('SerializationException', e.message);
    throw e;
  }
  const message = validationMessage([...errors, ...documentedConstraints(op, body)]);
  if (message) throw validation(message);
}

/**
 * Members the model marks required in answers that the emulator leaves out until they mean something (the reference
 * page: FailureReason "if a model compilation job failed"; ModelArtifacts once there are artifacts; InputConfig of a
 * job created from a ModelPackageVersionArn, which has none of its own).
 */
const OPTIONAL_IN_OUTPUT: ReadonlySet<string> = new Set([
  'DescribeCompilationJobResponse.FailureReason',
  'DescribeCompilationJobResponse.ModelArtifacts',
  'DescribeCompilationJobResponse.InputConfig',
]);

/** Errors of the service's authentication front door (Coral), answered before the operation runs. */
const AUTH_ERRORS: Record<string, { status: number; message: (op: string, arn: string) => string }> = {
  ExpiredTokenException: {
    status: 400,
    message: () => 'The security token included in the request is expired',
  },
  InvalidClientTokenId: {
    status: 403,
    message: () => 'The security token included in the request is invalid.',
  },
  UnrecognizedClientException: {
    status: 400,
    message: () => 'The security token included in the request is invalid.',
  },
  AccessDeniedException: {
    status: 400,
    message: (op, arn) =>
      `User: ${arn} is not authorized to perform: sagemaker:${op} because no identity-based policy allows the sagemaker:${op} action`,
  },
};

/**
 * Coral's wire form of a front-door error: a namespaced `__type` and an `x-amzn-ErrorType` with a URL suffix, both of
 * which the SDK reduces to the bare code.
 */
function authError(code: string, op: string, arn: string): ApiError {
  const known = AUTH_ERRORS[code];
  return new ApiError(
    code,
    known ? known.message(op, arn) : `${code}: the request was not authorized`,
    known?.status ?? 400,
    {
      type: `com.amazon.coral.service#${code}`,
      header: `${code}:http://internal.amazon.com/coral/com.amazon.coral.service/`,
    },
  );
}

/**
 * Violations of what the reference pages state beyond the model, worded like the model's own (so they join the same
 * "N validation errors detected" answer).
 */
function documentedConstraints(op: string, b: Json): string[] {
  const errors: string[] = [];
  const sc = b.StoppingCondition as Json | undefined;
  const runtime = sc?.MaxRuntimeInSeconds;
  if (typeof runtime === 'number' && runtime > TWENTY_EIGHT_DAYS_S) {
    // StoppingCondition: "The maximum value is 28 days."
    errors.push(
      violation(
        'stoppingCondition.maxRuntimeInSeconds',
        runtime,
        `have value less than or equal to ${TWENTY_EIGHT_DAYS_S}`,
      ),
    );
  }
  if (op === 'CreateCompilationJob') {
    const arn = b.ModelPackageVersionArn;
    if (
      typeof arn === 'string' &&
      matchesModelPattern('ModelPackageArn', arn) &&
      !matchesPattern(MODEL_PACKAGE_ARN_PATTERN, arn)
    ) {
      errors.push(
        violation(
          'modelPackageVersionArn',
          arn,
          `satisfy regular expression pattern: ${MODEL_PACKAGE_ARN_PATTERN}`,
        ),
      );
    }
  }
  if (op === 'CreateOptimizationJob') {
    // The action's (and the CLI page's) model source is S3; SageMakerModel sources are not emulated.
    const ms = b.ModelSource as Json | undefined;
    if (ms && typeof ms === 'object') {
      const s3 = ms.S3 as Json | undefined;
      if (s3 === undefined || s3 === null) errors.push(violation('modelSource.s3', null, 'not be null'));
      else if (s3.S3Uri === undefined || s3.S3Uri === null)
        errors.push(violation('modelSource.s3.s3Uri', null, 'not be null'));
    }
    const configs = b.OptimizationConfigs;
    if (Array.isArray(configs) && configs.length === 0) {
      errors.push(violation('optimizationConfigs', configs, 'have length greater than or equal to 1'));
    }
  }
  return errors;
}

function matchesModelPattern(shape: string, value: string): boolean {
  const pattern = MODEL.shapes[shape]?.pattern;
  return pattern === undefined || matchesPattern(pattern, value);
}

function checkStoppingConditionRules(sc: Json | undefined): void {
  if (!sc) return;
  const runtime = typeof sc.MaxRuntimeInSeconds === 'number' ? sc.MaxRuntimeInSeconds : ONE_DAY_S;
  if (typeof sc.MaxWaitTimeInSeconds === 'number' && sc.MaxWaitTimeInSeconds < runtime) {
    throw validation(
      `Invalid StoppingCondition: MaxWaitTimeInSeconds (${sc.MaxWaitTimeInSeconds}) must be equal to or greater than MaxRuntimeInSeconds (${runtime}).`,
    );
  }
}

function checkTagRules(value: unknown): void {
  if (!Array.isArray(value)) return;
  const seen = new Set<string>();
  for (const t of value as Json[]) {
    const key = String(t.Key);
    if (seen.has(key)) {
      throw validation(
        `Tags: tag keys must be unique per resource; the key '${key}' is given more than once.`,
      );
    }
    seen.add(key);
  }
}

function checkKmsKeyId(path: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') return;
  if (!KMS_FORMATS.some((re) => re.test(value))) {
    throw validation(
      `Invalid ${path} '${value}': specify a KMS key ID, key ARN, alias name (alias/...) or alias ARN.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// CreateCompilationJob validation

/** Semantic rules of the reference pages; runs after the request passed the model. */
function validateCompilationRequest(b: Json, region: string): void {
  const ic = b.InputConfig as Json | undefined;
  const oc = b.OutputConfig as Json | undefined;
  const sc = b.StoppingCondition as Json | undefined;
  // Cross-member rules stated on the reference pages (reported one at a time, like the service does).
  if (ic && b.ModelPackageVersionArn !== undefined) {
    throw validation(
      'Provide either a ModelPackageVersionArn or an InputConfig object in the request, not both. The presence of both InputConfig and ModelPackageVersionArn is not allowed.',
    );
  }
  if (!ic && b.ModelPackageVersionArn === undefined) {
    throw validation('Either InputConfig or ModelPackageVersionArn must be specified.');
  }
  if (ic) checkInputConfigRules(ic, oc);
  if (oc) checkOutputConfigRules(oc, region);
  checkStoppingConditionRules(sc);
  checkTagRules(b.Tags);
}

function checkInputConfigRules(ic: Json, oc: Json | undefined): void {
  const s3Uri = String(ic.S3Uri);
  const key = parseS3Uri(s3Uri)?.key ?? '';
  if (!key.endsWith('.tar.gz')) {
    throw validation(
      `InputConfig.S3Uri '${s3Uri}' must point to a single gzip compressed tar archive (.tar.gz suffix).`,
    );
  }
  const framework = String(ic.Framework);
  if (ic.FrameworkVersion !== undefined && !FRAMEWORK_VERSION_SUPPORTED.has(framework)) {
    throw validation(
      `InputConfig.FrameworkVersion is only supported for the MXNET, PYTORCH, TENSORFLOW and TFLITE frameworks, not ${framework}.`,
    );
  }
  const dic = ic.DataInputConfig;
  if (dic === undefined) {
    if (DATA_INPUT_REQUIRED.has(framework)) {
      throw validation(
        `InputConfig.DataInputConfig is required for framework ${framework}: specify the name and shape of the expected data inputs.`,
      );
    }
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(dic));
  } catch (e) {
    throw validation(
      `InputConfig.DataInputConfig must be a valid JSON string: ${(e as Error).message}. Example: {"input":[1,1024,1024,3]}`,
    );
  }
  const isDict = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  const isList = Array.isArray(parsed);
  if (framework === Framework.PYTORCH) {
    if (!isDict && !isList) {
      throw validation(
        'InputConfig.DataInputConfig for PYTORCH must use the dictionary format ({"input0":[1,3,224,224]}) or the list format ([[1,3,224,224]]).',
      );
    }
  } else if (DATA_INPUT_REQUIRED.has(framework) && !isDict) {
    throw validation(
      `InputConfig.DataInputConfig for ${framework} must use a dictionary format of input names and shapes, e.g. {"data":[1,3,224,224]}.`,
    );
  }
  const coreml = oc?.TargetDevice === TargetDevice.COREML;
  const shapes = isDict ? Object.values(parsed as Json) : isList ? (parsed as unknown[]) : [];
  for (const shape of shapes) {
    const ok = Array.isArray(shape) || (coreml && typeof shape === 'object' && shape !== null);
    if (!ok) {
      throw validation(
        `InputConfig.DataInputConfig: every input must map to a shape (a list of dimensions), got ${JSON.stringify(shape)}.`,
      );
    }
  }
}

function checkOutputConfigRules(oc: Json, region: string): void {
  const hasDevice = oc.TargetDevice !== undefined;
  const hasPlatform = oc.TargetPlatform !== undefined;
  if (hasDevice && hasPlatform) {
    throw validation(
      'OutputConfig: TargetDevice and TargetPlatform cannot both be specified; TargetPlatform is an alternative of TargetDevice.',
    );
  }
  if (!hasDevice && !hasPlatform) {
    throw validation('OutputConfig: either TargetDevice or TargetPlatform must be specified.');
  }
  if (hasDevice) {
    const only = REGION_ONLY_DEVICES[String(oc.TargetDevice)];
    if (only && only.region !== region) {
      throw validation(
        `TargetDevice ${String(oc.TargetDevice)} is not supported in region ${region}. Currently ${String(oc.TargetDevice)} is available only in ${only.label} Region (${only.region}).`,
      );
    }
  }
  const options = typeof oc.CompilerOptions === 'string' ? oc.CompilerOptions : undefined;
  const tp = oc.TargetPlatform as Json | undefined;
  if (tp?.Accelerator === TargetPlatformAccelerator.NVIDIA) {
    if (options === undefined) {
      throw validation(
        'OutputConfig.CompilerOptions is required for TargetPlatform accelerator NVIDIA (gpu-code, trt-ver and cuda-ver).',
      );
    }
    const missing = [
      ['gpu-code', /gpu[-_]code/],
      ['trt-ver', /trt-ver/],
      ['cuda-ver', /cuda-ver/],
    ].filter(([, re]) => !(re as RegExp).test(options));
    if (missing.length > 0) {
      throw validation(
        `OutputConfig.CompilerOptions for NVIDIA accelerators must specify gpu-code, trt-ver and cuda-ver; missing: ${missing.map(([n]) => n).join(', ')}.`,
      );
    }
    const trt = /trt-ver['"]?\s*:\s*['"]([^'"]*)['"]/.exec(options)?.[1];
    if (trt !== undefined && !/^\d+\.\d+\.\d+$/.test(trt)) {
      throw validation(
        `OutputConfig.CompilerOptions: trt-ver '${trt}' must be a TensorRT version in x.y.z format.`,
      );
    }
    const cuda = /cuda-ver['"]?\s*:\s*['"]([^'"]*)['"]/.exec(options)?.[1];
    if (cuda !== undefined && !/^\d+\.\d+$/.test(cuda)) {
      throw validation(
        `OutputConfig.CompilerOptions: cuda-ver '${cuda}' must be a CUDA version in x.y format.`,
      );
    }
  }
  if (tp?.Os === TargetPlatformOs.ANDROID && options !== undefined) {
    const level = /ANDROID_PLATFORM['"]?\s*:\s*['"]?(-?\d+)/.exec(options)?.[1];
    if (level !== undefined && (Number(level) < 21 || Number(level) > 29)) {
      throw validation(
        `OutputConfig.CompilerOptions: ANDROID_PLATFORM ${level} is not supported; available Android API levels range from 21 to 29.`,
      );
    }
  }
  checkKmsKeyId('OutputConfig.KmsKeyId', oc.KmsKeyId);
}

// ---------------------------------------------------------------------------------------------------------------
// CreateOptimizationJob validation

/** Semantic rules of the reference pages; runs after the request passed the model. */
function validateOptimizationRequest(b: Json): void {
  const configs = b.OptimizationConfigs as Json[];
  const oc = b.OutputConfig as Json | undefined;
  configs.forEach((cfg, i) => {
    const set = OPTIMIZATION_CONFIG_MEMBERS.filter((m) => cfg[m] !== undefined && cfg[m] !== null);
    if (set.length !== 1) {
      throw validation(
        `OptimizationConfigs[${i}] is a tagged union: exactly one of ${OPTIMIZATION_CONFIG_MEMBERS.join(', ')} must be set, but ${set.length === 0 ? 'none is' : `${set.join(' and ')} are`} set.`,
      );
    }
  });
  checkStoppingConditionRules(b.StoppingCondition as Json);
  checkTagRules(b.Tags);
  checkKmsKeyId('OutputConfig.KmsKeyId', oc?.KmsKeyId);
}

// ---------------------------------------------------------------------------------------------------------------
// S3 helpers and artifacts

function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const m = /^(https|s3):\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) return undefined;
  const [, scheme, host = '', rest = ''] = m;
  if (scheme === 's3') return { bucket: host, key: rest };
  // https: virtual-hosted (bucket.s3.<region>.amazonaws.com/key) or path-style (s3.<region>.amazonaws.com/bucket/key)
  const vh = /^(.+)\.s3[.-]/.exec(host);
  if (vh?.[1]) return { bucket: vh[1], key: rest };
  const slash = rest.indexOf('/');
  return slash < 0 ? { bucket: rest, key: '' } : { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

function joinKey(prefix: string, name: string): string {
  if (prefix === '') return name;
  return prefix.endsWith('/') ? `${prefix}${name}` : `${prefix}/${name}`;
}

function pseudoBytes(seed: string, length: number): Buffer {
  const out: Buffer[] = [];
  let block = createHash('sha256').update(seed).digest();
  while (out.length * 32 < length) {
    out.push(block);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat(out).subarray(0, length);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// ---------------------------------------------------------------------------------------------------------------
// Emulator

interface Job extends EmulatedJob {
  seq: number;
  key: string;
  timing: JobTiming;
  timer?: NodeJS.Timeout;
  digest?: string;
  inferenceImage?: string;
}

const prng = mulberry32;

const DEFAULT_OPTIONS: SageMakerOptions = {
  accountId: '123456789012',
  quota: 10,
  rateLimitPerSecond: 0,
  timing: { startingMs: 50, inProgressMs: 200, stoppingMs: 50 },
};

const DEFAULT_FAULTS: FaultOptions = {
  throttleRate: 0,
  errorRate: 0,
  dropRate: 0,
  latencyMs: 0,
  seed: 1,
};

function regionOf(req: IncomingMessage): string {
  const auth = req.headers.authorization ?? '';
  const m = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/[^/,\s]+\/aws4_request/.exec(auth);
  return m?.[1] ?? DEFAULT_REGION;
}

const epoch = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

function defaultFailure(job: Job): string | undefined {
  const r = job.request;
  const oc = r.OutputConfig as Json | undefined;
  const s3Uri =
    job.kind === 'compilation'
      ? ((r.InputConfig as Json | undefined)?.S3Uri as string | undefined)
      : (((r.ModelSource as Json | undefined)?.S3 as Json | undefined)?.S3Uri as string | undefined);
  const device = job.kind === 'compilation' ? (oc?.TargetDevice as string | undefined) : undefined;
  const hit = [job.name, device, s3Uri].some(
    (s) => typeof s === 'string' && s.toLowerCase().includes('fail'),
  );
  if (!hit) return undefined;
  if (job.kind === 'optimization') {
    return `ClientError: Unable to load the model from ${s3Uri}: the model artifacts could not be read by the optimization container. Please make sure the S3 location contains a supported model and that the role can access it.`;
  }
  const ic = r.InputConfig as Json | undefined;
  const source = s3Uri ?? (r.ModelPackageVersionArn as string | undefined) ?? 'the input';
  const framework = (ic?.Framework as string | undefined) ?? 'the model';
  return `ClientError: InputConfiguration: Unable to load the model: ${framework} could not load the model artifacts in ${source}. Please make sure the archive contains a valid ${framework} model and that DataInputConfig matches its input names and shapes.`;
}

export function createSageMakerEmulator(deps: SageMakerEmulatorDeps): SageMakerEmulator {
  const { store, record } = deps;
  const options: SageMakerOptions = {
    ...DEFAULT_OPTIONS,
    ...deps.options,
    timing: { ...DEFAULT_OPTIONS.timing, ...deps.options?.timing },
  };
  const faults: FaultOptions = { ...DEFAULT_FAULTS, ...deps.faults };

  const jobs = new Map<string, Job>();
  const peaks = new Map<string, number>();
  const rateWindows = new Map<string, number[]>();
  let seq = 0;
  let rngSeed = faults.seed;
  let rng = prng(rngSeed);

  const roll = (rate: number | undefined): boolean => {
    if (!rate || rate <= 0) return false;
    if (faults.seed !== rngSeed) {
      rngSeed = faults.seed;
      rng = prng(rngSeed);
    }
    return rng() < rate;
  };

  const jobKey = (kind: JobKind, region: string, name: string) =>
    // Compilation job ARNs are lowercased, so names differing only by case collide like they do in the service.
    `${kind}|${region}|${kind === 'compilation' ? name.toLowerCase() : name}`;

  /** Non-terminal jobs per "kind|region" key, including the aggregates "kind|*", "*|region" and "*|*". */
  const active = new Map<string, number>();
  const aggregateKeys = (kind: JobKind, region: string) => [
    `${kind}|${region}`,
    `${kind}|*`,
    `*|${region}`,
    '*|*',
  ];
  const activeCount = (kind: JobKind, region: string) => active.get(`${kind}|${region}`) ?? 0;

  const setStatus = (job: Job, status: JobStatus, now = Date.now()) => {
    const wasActive = job.history.length > 0 && !TERMINAL.has(job.status);
    const isActive = !TERMINAL.has(status);
    job.status = status;
    job.lastModifiedTime = now;
    job.history.push({ status, time: now });
    if (!isActive) job.timer = undefined;
    if (wasActive !== isActive) {
      for (const key of aggregateKeys(job.kind, job.region)) {
        const n = (active.get(key) ?? 0) + (isActive ? 1 : -1);
        active.set(key, n);
        peaks.set(key, Math.max(peaks.get(key) ?? 0, n));
      }
    }
  };

  const schedule = (job: Job, ms: number, fn: () => void) => {
    if (job.timer) clearTimeout(job.timer);
    job.timer = setTimeout(
      () => {
        job.timer = undefined;
        try {
          fn();
        } catch (e) {
          // A throwing user callback (failureFor...) must not take the process down: fail the job instead.
          finish(job, 'FAILED', `InternalServerError: ${(e as Error).message}`);
        }
      },
      Math.max(0, ms),
    );
    job.timer.unref?.();
  };

  const finish = (job: Job, status: 'COMPLETED' | 'FAILED' | 'STOPPED', reason?: string) => {
    const now = Date.now();
    job.endTime = now;
    if (status === 'FAILED') job.failureReason = reason;
    setStatus(job, status, now);
  };

  const startInProgress = (job: Job) => {
    const now = Date.now();
    job.startTime = now;
    setStatus(job, 'INPROGRESS', now);
    const sc = job.request.StoppingCondition as Json | undefined;
    const maxRuntimeMs =
      (typeof sc?.MaxRuntimeInSeconds === 'number' ? sc.MaxRuntimeInSeconds : ONE_DAY_S) * 1000;
    if (job.timing.inProgressMs > maxRuntimeMs) {
      schedule(job, maxRuntimeMs, () => {
        finish(
          job,
          'FAILED',
          `TimeOut: the ${job.kind} job did not complete within the maximum runtime of ${maxRuntimeMs / 1000} seconds (StoppingCondition.MaxRuntimeInSeconds).`,
        );
      });
    } else {
      schedule(job, job.timing.inProgressMs, () => complete(job));
    }
  };

  const complete = (job: Job) => {
    let reason = options.failureFor ? options.failureFor(job.name, job.request) : defaultFailure(job);
    if (reason === undefined && options.requireInputArtifacts) reason = missingInput(job);
    if (reason !== undefined) {
      finish(job, 'FAILED', reason);
      return;
    }
    if (job.kind === 'compilation') writeCompilationArtifact(job);
    else writeOptimizationArtifacts(job);
    job.artifact = options.artifactFor?.(job.name, job.request) ?? job.artifact;
    finish(job, 'COMPLETED');
  };

  const missingInput = (job: Job): string | undefined => {
    const r = job.request;
    const uri =
      job.kind === 'compilation'
        ? ((r.InputConfig as Json | undefined)?.S3Uri as string | undefined)
        : (((r.ModelSource as Json | undefined)?.S3 as Json | undefined)?.S3Uri as string | undefined);
    if (uri === undefined) return undefined;
    const loc = parseS3Uri(uri);
    if (!loc) return undefined;
    if (job.kind === 'optimization' && (loc.key === '' || loc.key.endsWith('/'))) return undefined;
    if (store.getObject(loc.bucket, loc.key)) return undefined;
    return `ClientError: InputConfiguration: Unable to download the model artifacts from ${uri}: NoSuchKey. Please make sure the S3 object exists and that the role can read it.`;
  };

  const writeCompilationArtifact = (job: Job) => {
    const r = job.request;
    const ic = r.InputConfig as Json | undefined;
    const oc = r.OutputConfig as Json;
    const tp = oc.TargetPlatform as Json | undefined;
    const suffix =
      typeof oc.TargetDevice === 'string'
        ? oc.TargetDevice
        : [tp?.Os, tp?.Arch, tp?.Accelerator]
            .filter((x) => typeof x === 'string')
            .join('_')
            .toLowerCase();
    let base = 'model';
    if (ic && typeof ic.S3Uri === 'string') {
      const key = parseS3Uri(ic.S3Uri)?.key ?? '';
      const file = key.split('/').pop() ?? '';
      base = file.replace(/\.tar\.gz$/, '').replace(/\.tgz$/, '') || 'model';
    }
    const out = parseS3Uri(String(oc.S3OutputLocation));
    if (!out) return;
    const key = joinKey(out.key, `${base}-${suffix}.tar.gz`);
    const manifest = {
      CompilationJobName: job.name,
      CompilationJobArn: job.arn,
      Source: ic?.S3Uri ?? r.ModelPackageVersionArn,
      Framework: ic?.Framework,
      FrameworkVersion: ic?.FrameworkVersion,
      DataInputConfig: ic?.DataInputConfig,
      TargetDevice: oc.TargetDevice,
      TargetPlatform: tp,
      CompilerOptions: oc.CompilerOptions,
      Compiler: 'neo-emulator',
    };
    const body = gzipSync(
      tar([
        { name: 'compiled_model.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
        {
          name: 'compiled.params',
          data: pseudoBytes(`${job.arn}|params`, weightBytes(job, suffix, 1024)),
        },
        { name: 'compiled.so', data: pseudoBytes(`${job.arn}|so`, 512) },
      ]),
    );
    if (!store.listBuckets().includes(out.bucket)) store.createBucket(out.bucket);
    store.putObject(out.bucket, key, body, 'application/x-tar');
    job.artifact = `s3://${out.bucket}/${key}`;
    job.digest = sha256(body);
    const framework = String(ic?.Framework ?? 'model').toLowerCase();
    const version = String(ic?.FrameworkVersion ?? '1.0');
    const device = String(oc.TargetDevice ?? '');
    const processor =
      device.startsWith('ml_inf') || device.startsWith('ml_trn')
        ? 'inf'
        : /^ml_(p|g4dn|eia)/.test(device) || tp?.Accelerator === 'NVIDIA'
          ? 'gpu'
          : 'cpu';
    const account = NEO_IMAGE_ACCOUNT[job.region] ?? '763104351884';
    job.inferenceImage = `${account}.dkr.ecr.${job.region}.amazonaws.com/sagemaker-neo-${framework}:${version}-${processor}-py3`;
  };

  /** Weight bytes the test asked for on this device (artifactBytesFor), else the default. */
  const weightBytes = (job: Job, device: string, fallback: number): number => {
    const asked = options.artifactBytesFor?.(device, job.name);
    return asked !== undefined && Number.isSafeInteger(asked) && asked >= 0 ? asked : fallback;
  };

  const writeOptimizationArtifacts = (job: Job) => {
    const r = job.request;
    const oc = r.OutputConfig as Json;
    const out = parseS3Uri(String(oc.S3OutputLocation));
    if (!out) return;
    if (!store.listBuckets().includes(out.bucket)) store.createBucket(out.bucket);
    const config = {
      OptimizationJobName: job.name,
      OptimizationJobArn: job.arn,
      Source: ((r.ModelSource as Json).S3 as Json | undefined)?.S3Uri,
      DeploymentInstanceType: r.DeploymentInstanceType,
      OptimizationTypes: optimizationTypes(r),
    };
    const configKey = joinKey(out.key, 'config.json');
    store.putObject(
      out.bucket,
      configKey,
      Buffer.from(`${JSON.stringify(config, null, 2)}\n`),
      'application/json',
    );
    const weights = pseudoBytes(
      `${job.arn}|weights`,
      weightBytes(job, String(r.DeploymentInstanceType ?? ''), 2048),
    );
    store.putObject(out.bucket, joinKey(out.key, 'model.safetensors'), weights, 'application/octet-stream');
    job.artifact = `s3://${out.bucket}/${joinKey(out.key, '')}`;
    job.digest = sha256(weights);
    const configs = (r.OptimizationConfigs as Json[]) ?? [];
    const image = configs
      .map((cfg) => Object.values(cfg)[0] as Json | undefined)
      .find((m) => typeof m?.Image === 'string')?.Image as string | undefined;
    job.inferenceImage =
      image ?? `763104351884.dkr.ecr.${job.region}.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124`;
  };

  const createJob = (kind: JobKind, region: string, name: string, request: Json): Job => {
    const key = jobKey(kind, region, name);
    const existing = jobs.get(key);
    if (existing) {
      throw new ApiError(
        'ResourceInUse',
        `Job name must be unique within an AWS account and region, and a ${kind} job with this name already exists (${existing.arn})`,
      );
    }
    const current = activeCount(kind, region);
    if (current >= options.quota) {
      throw new ApiError(
        'ResourceLimitExceeded',
        `The account-level service limit 'Number of concurrent ${kind} jobs' is ${options.quota} Jobs, with current utilization of ${current} Jobs and a request delta of 1 Jobs. Please use AWS Service Quotas to request an increase for this quota. If AWS Service Quotas is not available, contact AWS support to request an increase for this quota.`,
      );
    }
    const now = Date.now();
    const arnName = kind === 'compilation' ? name.toLowerCase() : name;
    const job: Job = {
      kind,
      name,
      arn: `arn:aws:sagemaker:${region}:${options.accountId}:${kind}-job/${arnName}`,
      region,
      request,
      status: 'STARTING',
      creationTime: now,
      lastModifiedTime: now,
      history: [],
      seq: seq++,
      key,
      timing: { ...options.timing, ...options.timingFor?.(name, request) },
    };
    jobs.set(key, job);
    setStatus(job, 'STARTING', now);
    schedule(job, job.timing.startingMs, () => startInProgress(job));
    return job;
  };

  const findJob = (kind: JobKind, region: string, name: unknown): Job => {
    const job = typeof name === 'string' ? jobs.get(jobKey(kind, region, name)) : undefined;
    if (!job) {
      throw new ApiError('ResourceNotFound', `Could not find ${kind} job '${String(name)}'.`);
    }
    return job;
  };

  const stopJob = (job: Job) => {
    if (TERMINAL.has(job.status)) {
      throw validation(
        `The ${job.kind} job '${job.name}' is in status ${job.status} and cannot be stopped; only STARTING or INPROGRESS jobs can be stopped.`,
      );
    }
    if (job.status === 'STOPPING') return;
    setStatus(job, 'STOPPING');
    schedule(job, job.timing.stoppingMs, () => finish(job, 'STOPPED'));
  };

  // ----- responses

  const describeCompilation = (job: Job): Json => {
    const r = job.request;
    const completed = job.status === 'COMPLETED';
    return {
      CompilationJobName: job.name,
      CompilationJobArn: job.arn,
      CompilationJobStatus: job.status,
      CompilationStartTime: epoch(job.startTime),
      CompilationEndTime: epoch(job.endTime),
      StoppingCondition: { MaxRuntimeInSeconds: ONE_DAY_S, ...(r.StoppingCondition as Json) },
      InferenceImage: completed ? job.inferenceImage : undefined,
      ModelPackageVersionArn: r.ModelPackageVersionArn,
      CreationTime: epoch(job.creationTime),
      LastModifiedTime: epoch(job.lastModifiedTime),
      FailureReason: job.failureReason,
      ModelArtifacts: completed && job.artifact ? { S3ModelArtifacts: job.artifact } : undefined,
      ModelDigests: completed && job.digest ? { ArtifactDigest: job.digest } : undefined,
      RoleArn: r.RoleArn,
      InputConfig: r.InputConfig,
      OutputConfig: r.OutputConfig,
      VpcConfig: r.VpcConfig,
    };
  };

  const compilationSummary = (job: Job): Json => {
    const oc = job.request.OutputConfig as Json;
    const tp = oc.TargetPlatform as Json | undefined;
    return {
      CompilationJobName: job.name,
      CompilationJobArn: job.arn,
      CreationTime: epoch(job.creationTime),
      CompilationStartTime: epoch(job.startTime),
      CompilationEndTime: epoch(job.endTime),
      CompilationTargetDevice: oc.TargetDevice,
      CompilationTargetPlatformOs: tp?.Os,
      CompilationTargetPlatformArch: tp?.Arch,
      CompilationTargetPlatformAccelerator: tp?.Accelerator,
      LastModifiedTime: epoch(job.lastModifiedTime),
      CompilationJobStatus: job.status,
    };
  };

  const optimizationTypes = (r: Json): string[] => {
    const types: string[] = [];
    for (const cfg of (r.OptimizationConfigs as Json[]) ?? []) {
      for (const m of OPTIMIZATION_CONFIG_MEMBERS) {
        const t = OPTIMIZATION_TYPE[m];
        if (cfg[m] !== undefined && t && !types.includes(t)) types.push(t);
      }
    }
    return types;
  };

  const describeOptimization = (job: Job): Json => {
    const r = job.request;
    return {
      OptimizationJobArn: job.arn,
      OptimizationJobStatus: job.status,
      OptimizationStartTime: epoch(job.startTime),
      OptimizationEndTime: epoch(job.endTime),
      CreationTime: epoch(job.creationTime),
      LastModifiedTime: epoch(job.lastModifiedTime),
      FailureReason: job.failureReason,
      OptimizationJobName: job.name,
      ModelSource: r.ModelSource,
      OptimizationEnvironment: r.OptimizationEnvironment,
      DeploymentInstanceType: r.DeploymentInstanceType,
      MaxInstanceCount: r.MaxInstanceCount,
      OptimizationConfigs: r.OptimizationConfigs,
      OutputConfig: r.OutputConfig,
      OptimizationOutput:
        job.status === 'COMPLETED' ? { RecommendedInferenceImage: job.inferenceImage } : undefined,
      RoleArn: r.RoleArn,
      StoppingCondition: { MaxRuntimeInSeconds: ONE_DAY_S, ...(r.StoppingCondition as Json) },
      VpcConfig: r.VpcConfig,
    };
  };

  const optimizationSummary = (job: Job): Json => ({
    OptimizationJobName: job.name,
    OptimizationJobArn: job.arn,
    CreationTime: epoch(job.creationTime),
    OptimizationJobStatus: job.status,
    OptimizationStartTime: epoch(job.startTime),
    OptimizationEndTime: epoch(job.endTime),
    LastModifiedTime: epoch(job.lastModifiedTime),
    DeploymentInstanceType: job.request.DeploymentInstanceType,
    MaxInstanceCount: job.request.MaxInstanceCount,
    OptimizationTypes: optimizationTypes(job.request),
  });

  const list = (kind: JobKind, region: string, b: Json): { items: Job[]; nextToken?: string } => {
    // The request passed the model, so every member present has its type.
    const token = b.NextToken as string | undefined;
    const max = (b.MaxResults as number | undefined) ?? (kind === 'compilation' ? 10 : 50);
    const ms = (seconds: unknown) => (typeof seconds === 'number' ? seconds * 1000 : undefined);
    const createdAfter = ms(b.CreationTimeAfter);
    const createdBefore = ms(b.CreationTimeBefore);
    const modifiedAfter = ms(b.LastModifiedTimeAfter);
    const modifiedBefore = ms(b.LastModifiedTimeBefore);
    const nameContains = b.NameContains as string | undefined;
    const status = b.StatusEquals as string | undefined;
    const sortBy = (b.SortBy as string | undefined) ?? 'CreationTime';
    const sortOrder = (b.SortOrder as string | undefined) ?? 'Ascending'; // the API reference's default
    const contains = kind === 'optimization' ? (b.OptimizationContains as string | undefined) : undefined;

    const fingerprint = createHash('sha256')
      .update(
        JSON.stringify([
          kind,
          region,
          createdAfter,
          createdBefore,
          modifiedAfter,
          modifiedBefore,
          nameContains,
          status,
          sortBy,
          sortOrder,
          contains,
        ]),
      )
      .digest('hex')
      .slice(0, 16);
    let offset = 0;
    if (token !== undefined) {
      const decoded = decodeToken(token);
      if (!decoded || decoded.f !== fingerprint) {
        throw validation(
          `Invalid NextToken: the pagination token '${token}' is not valid for this request. Use the NextToken returned by a previous request with the same parameters.`,
        );
      }
      offset = decoded.o;
    }

    const items = [...jobs.values()].filter((j) => {
      if (j.kind !== kind || j.region !== region) return false;
      if (createdAfter !== undefined && !(j.creationTime > createdAfter)) return false;
      if (createdBefore !== undefined && !(j.creationTime < createdBefore)) return false;
      if (modifiedAfter !== undefined && !(j.lastModifiedTime > modifiedAfter)) return false;
      if (modifiedBefore !== undefined && !(j.lastModifiedTime < modifiedBefore)) return false;
      if (nameContains !== undefined && !j.name.toLowerCase().includes(nameContains.toLowerCase()))
        return false;
      if (status !== undefined && j.status !== status) return false;
      if (
        contains !== undefined &&
        !optimizationTypes(j.request).some((t) => t.toLowerCase().includes(contains.toLowerCase()))
      ) {
        return false;
      }
      return true;
    });
    const dir = sortOrder === 'Ascending' ? 1 : -1;
    items.sort((a, b2) => {
      let d = 0;
      if (sortBy === 'Name') d = a.name < b2.name ? -1 : a.name > b2.name ? 1 : 0;
      else if (sortBy === 'Status') d = a.status < b2.status ? -1 : a.status > b2.status ? 1 : 0;
      if (d === 0) d = a.creationTime - b2.creationTime || a.seq - b2.seq;
      return d * dir;
    });
    const page = items.slice(offset, offset + max);
    const next = offset + max < items.length ? encodeToken({ o: offset + max, f: fingerprint }) : undefined;
    return { items: page, nextToken: next };
  };

  // ----- dispatch

  const dispatch = (op: string, region: string, b: Json): Json => {
    switch (op) {
      case 'CreateCompilationJob': {
        validateCompilationRequest(b, region);
        const job = createJob('compilation', region, String(b.CompilationJobName), b);
        return { CompilationJobArn: job.arn };
      }
      case 'DescribeCompilationJob':
        return describeCompilation(findJob('compilation', region, b.CompilationJobName));
      case 'ListCompilationJobs': {
        const { items, nextToken } = list('compilation', region, b);
        return { CompilationJobSummaries: items.map(compilationSummary), NextToken: nextToken };
      }
      case 'StopCompilationJob':
        stopJob(findJob('compilation', region, b.CompilationJobName));
        return {};
      case 'CreateOptimizationJob': {
        validateOptimizationRequest(b);
        const job = createJob('optimization', region, String(b.OptimizationJobName), b);
        return { OptimizationJobArn: job.arn };
      }
      case 'DescribeOptimizationJob':
        return describeOptimization(findJob('optimization', region, b.OptimizationJobName));
      case 'ListOptimizationJobs': {
        const { items, nextToken } = list('optimization', region, b);
        return { OptimizationJobSummaries: items.map(optimizationSummary), NextToken: nextToken };
      }
      case 'StopOptimizationJob':
        stopJob(findJob('optimization', region, b.OptimizationJobName));
        return {};
      default:
        throw new ApiError('UnknownOperationException', `Unknown operation: SageMaker.${op}`);
    }
  };

  const faultsApply = (op: string) => !faults.operations || faults.operations.includes(op);

  const rateLimited = (op: string): boolean => {
    const limit = options.rateLimitPerSecond;
    if (!limit || limit <= 0) return false;
    const now = Date.now();
    const window = (rateWindows.get(op) ?? []).filter((t) => now - t < 1000);
    rateWindows.set(op, window);
    if (window.length >= limit) return true;
    window.push(now);
    return false;
  };

  // ----- held connections (hung requests, delayed stops): released by the client giving up or by close()

  const held = new Set<() => void>();
  /** Resolves true after `ms` (never when undefined), false as soon as the client goes away or the emulator closes. */
  const hold = (socket: Socket, ms?: number): Promise<boolean> =>
    new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (answered: boolean) => {
        if (!held.delete(release)) return;
        if (timer) clearTimeout(timer);
        socket.off('close', gone);
        resolve(answered);
      };
      const gone = () => done(false);
      const release = () => {
        socket.destroy();
        done(false);
      };
      held.add(release);
      socket.once('close', gone);
      if (ms !== undefined) timer = setTimeout(() => done(true), ms);
    });

  // ----- credentials

  /** SageMaker requests answered so far, and the count when the current `options.authFailure` was first seen. */
  let answered = 0;
  let authSeen: AuthFailure | undefined;
  let authFrom = 0;
  const authFails = (op: string): AuthFailure | undefined => {
    const failure = options.authFailure;
    if (failure !== authSeen) {
      authSeen = failure;
      authFrom = answered;
    }
    if (!failure) return undefined;
    if (answered - authFrom < (failure.afterCalls ?? 0)) return undefined;
    if (failure.operations && !failure.operations.includes(op)) return undefined;
    return failure;
  };
  const callerArn = () => `arn:aws:sts::${options.accountId}:assumed-role/NeoCompileRole/GitHubActions`;

  /** Answers that break the model (an emulator bug, or text a test injected on purpose), for tests to assert on. */
  const responseViolations: string[] = [];
  const checkResponse = (op: string, payload: Json) => {
    // Undefined members count as absent, as JSON.stringify leaves them off the wire.
    for (const v of validateOutput(op, payload, { optionalInOutput: OPTIONAL_IN_OUTPUT })) {
      responseViolations.push(`${op}: ${v}`);
    }
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const time = Date.now();
    const region = regionOf(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('SageMaker.') ? target.slice('SageMaker.'.length) : target || 'Unknown';
    let body: unknown;
    let parseError: ApiError | undefined;
    try {
      body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        parseError = new ApiError('SerializationException', 'Request body must be a JSON object');
      }
    } catch {
      body = raw.toString('utf8');
      parseError = new ApiError('SerializationException', 'Unable to parse the request body as JSON');
    }

    const send = (status: number, payload: Json, errorType?: string) => {
      answered++;
      if (status === 200) checkResponse(op, payload);
      record({ service: 'sagemaker', operation: op, region, time, body, status });
      const text = JSON.stringify(payload);
      const headers: Record<string, string | number> = {
        'Content-Type': JSON_CONTENT_TYPE,
        'Content-Length': Buffer.byteLength(text),
        'x-amzn-RequestId': randomUUID(),
      };
      if (errorType) headers['x-amzn-ErrorType'] = errorType;
      res.writeHead(status, headers);
      res.end(text);
    };
    const sendError = (e: ApiError) =>
      send(e.status, { __type: e.wire?.type ?? e.type, message: e.message }, e.wire?.header ?? e.type);
    const drop = (detail: string) => {
      record({ service: 'sagemaker', operation: op, region, time, body, status: 0, detail });
      req.socket.destroy();
    };

    const subject = faultsApply(op);
    if (subject && faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (subject && roll(faults.hangRate)) {
      record({ service: 'sagemaker', operation: op, region, time, body, status: 0, detail: 'hung' });
      await hold(req.socket);
      return;
    }
    if (subject && roll(faults.dropRate)) return drop('dropped');
    const auth = authFails(op);
    if (auth) return sendError(authError(auth.code, op, callerArn()));
    if (subject && roll(faults.throttleRate))
      return sendError(new ApiError('ThrottlingException', faults.errorMessage ?? 'Rate exceeded'));
    if (subject && roll(faults.errorRate)) {
      return sendError(
        new ApiError(
          'InternalFailure',
          faults.errorMessage ??
            'The request processing has failed because of an unknown error, exception or failure.',
          500,
        ),
      );
    }
    if (rateLimited(op)) return sendError(new ApiError('ThrottlingException', 'Rate exceeded'));

    if (req.method !== 'POST' || !target.startsWith('SageMaker.') || !OPERATIONS.has(op)) {
      return sendError(new ApiError('UnknownOperationException', `Unknown operation: ${target || '(none)'}`));
    }
    if (parseError) return sendError(parseError);
    const isStop = op.startsWith('Stop');
    if (isStop && options.stopDelayMs && options.stopDelayMs > 0) {
      if (!(await hold(req.socket, options.stopDelayMs))) return;
    }
    let result: Json;
    try {
      checkRequest(op, body as Json);
      result = dispatch(op, region, body as Json);
    } catch (e) {
      if (e instanceof ApiError) return sendError(e);
      throw e;
    }
    const isCreate = op.startsWith('Create');
    if (isCreate && subject && roll(faults.dropAfterCreateRate)) return drop('dropped-after-create');
    if ((isCreate || isStop) && subject && roll(faults.dropAfterEffectRate))
      return drop('dropped-after-effect');
    send(200, result);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    serve(req, res).catch((e: unknown) => {
      if (res.headersSent || res.destroyed) return;
      const text = JSON.stringify({ __type: 'InternalFailure', message: (e as Error)?.message ?? String(e) });
      res.writeHead(500, { 'Content-Type': JSON_CONTENT_TYPE, 'x-amzn-ErrorType': 'InternalFailure' });
      res.end(text);
    });
  };

  const clearTimers = () => {
    for (const j of jobs.values()) {
      if (j.timer) clearTimeout(j.timer);
      j.timer = undefined;
    }
  };

  return {
    options,
    faults,
    handle,
    jobs: () =>
      [...jobs.values()]
        .sort((a, b) => a.seq - b.seq)
        .map((j) => ({
          kind: j.kind,
          name: j.name,
          arn: j.arn,
          region: j.region,
          request: j.request,
          status: j.status,
          creationTime: j.creationTime,
          lastModifiedTime: j.lastModifiedTime,
          startTime: j.startTime,
          endTime: j.endTime,
          failureReason: j.failureReason,
          artifact: j.artifact,
          history: j.history.map((h) => ({ ...h })),
        })),
    peakConcurrency: (kind, region) => peaks.get(`${kind ?? '*'}|${region ?? '*'}`) ?? 0,
    reset: () => {
      clearTimers();
      jobs.clear();
      active.clear();
      peaks.clear();
      rateWindows.clear();
      rngSeed = faults.seed;
      rng = prng(rngSeed);
      responseViolations.length = 0;
    },
    responseViolations: () => [...responseViolations],
    failAuth: (failure) => {
      options.authFailure = typeof failure === 'string' ? { code: failure } : failure;
    },
    close: () => {
      clearTimers();
      for (const release of [...held]) release();
    },
  };
}

function encodeToken(t: { o: number; f: string }): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(token: string): { o: number; f: string } | undefined {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (typeof t !== 'object' || t === null) return undefined;
    const { o, f } = t as { o: unknown; f: unknown };
    if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || typeof f !== 'string') return undefined;
    return { o, f };
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

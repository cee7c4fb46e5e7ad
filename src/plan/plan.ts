// The planner: a validated NeoConfig in, the exact SageMaker requests out. Pure: no clock, no AWS, no I/O.
// Job names are <prefix>-<target>-<hash>, where the hash covers the target, its region, the request without
// its name and the identity of its input (ETag/VersionId), so an unchanged request keeps its name across runs
// and any change gets a new one. A model in the workspace (input.path / model.path) is planned with the S3 URI
// the action uploaded it to (options.inputUris); the upload key is content-addressed, so it too enters the hash.
import type {
  CreateCompilationJobRequest,
  CreateOptimizationJobRequest,
  OptimizationConfig,
} from '@aws-sdk/client-sagemaker';
import picomatch from 'picomatch';
import type {
  CompilationTarget,
  ModelInputSource,
  NeoConfig,
  NeoTarget,
  OptimizationTarget,
} from '../config/index.ts';
import { buildJobName, defaultJobPrefix, hashOf } from '../config/job-name.ts';
import { closestMatch } from '../config/suggest.ts';
import type { ConfigError, PlannedJob, RunContext } from '../types.ts';

export interface PlanOptions {
  /** The `targets` input: names or globs separated by commas or newlines; `!pattern` leaves targets out. */
  targets?: string;
  /**
   * Input S3 URI or model package ARN -> its identity (ETag / VersionId), part of the job-name hash. For a
   * model in the workspace, the key is the S3 URI it was uploaded to (its value in inputUris).
   */
  inputIdentity?: Record<string, string>;
  /**
   * Local model (input.path / model.path as in the config, placeholders substituted, with its upload-to; see
   * localModelKey) -> the S3 URI the action uploaded it to. Every selected target with a path input needs one.
   */
  inputUris?: Record<string, string>;
}

/** The key of a local model in inputUris: one path may go to one bucket per region (upload-to with ${region}). */
export function localModelKey(path: string, uploadTo: string): string {
  return `${path}\u0000${uploadTo}`;
}

export function planJobs(
  config: NeoConfig,
  ctx: RunContext,
  options: PlanOptions = {},
): { jobs: PlannedJob[]; errors: ConfigError[] } {
  const { selected, errors } = selectTargets(config, options.targets);
  if (errors.length > 0) return { jobs: [], errors };
  const inputUris = options.inputUris ?? {};
  const notUploaded = checkUploaded(config, selected, inputUris);
  if (notUploaded.length > 0) return { jobs: [], errors: notUploaded };
  const prefix = config.jobPrefix ?? defaultJobPrefix(ctx.repository);
  return {
    jobs: selected.map((target) => planTarget(target, prefix, options.inputIdentity ?? {}, inputUris)),
    errors: [],
  };
}

function sourceOf(target: NeoTarget): ModelInputSource | undefined {
  return target.kind === 'compilation' ? target.input?.source : target.model.source;
}

/** The S3 URI a target's model is read from: as written, or where the action uploaded the local path. */
function modelUri(source: ModelInputSource, inputUris: Record<string, string>): string {
  if (source.kind === 's3') return source.s3Uri;
  const key = localModelKey(source.path, source.uploadTo);
  return Object.hasOwn(inputUris, key) ? (inputUris[key] ?? '') : '';
}

/** A path input without an uploaded URI is a bug of the caller: report it rather than plan an empty S3Uri. */
function checkUploaded(
  config: NeoConfig,
  selected: readonly NeoTarget[],
  inputUris: Record<string, string>,
): ConfigError[] {
  const errors = new Map<string, ConfigError & { targets: string[]; path: string }>();
  for (const target of selected) {
    const source = sourceOf(target);
    if (source?.kind !== 'path' || modelUri(source, inputUris) !== '') continue;
    const key = `${source.position.line}:${source.position.col}\u0000${source.path}`;
    const error = errors.get(key) ?? {
      file: config.file,
      ...source.position,
      title: 'Input not uploaded',
      message: '',
      targets: [],
      path: source.path,
    };
    error.targets.push(target.name);
    errors.set(key, error);
  }
  return [...errors.values()].map(({ targets, path, ...error }) => ({
    ...error,
    message: `internal: input not uploaded: the local model '${path}' (${targets.map((name) => `'${name}'`).join(', ')}) has no uploaded S3 URI, so no job can be planned for it. This is a bug in neo-compile-action; please report it.`,
  }));
}

/** Targets chosen by the `targets` input (all when empty), in config order. */
export function selectTargets(
  config: NeoConfig,
  input: string | undefined,
): { selected: NeoTarget[]; errors: ConfigError[] } {
  const patterns = (input ?? '')
    .split(/[,\n]/)
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '');
  if (patterns.length === 0) return { selected: config.targets, errors: [] };

  const errors: ConfigError[] = [];
  const names = config.targets.map((target) => target.name);
  const matching = (pattern: string): Set<NeoTarget> => {
    const isMatch = picomatch(pattern, { dot: true });
    return new Set(config.targets.filter((target) => isMatch(target.name) || isMatch(target.group)));
  };
  const include = patterns.filter((pattern) => !pattern.startsWith('!'));
  const exclude = patterns.filter((pattern) => pattern.startsWith('!')).map((pattern) => pattern.slice(1));
  const chosen = new Set<NeoTarget>(include.length === 0 ? config.targets : []);
  for (const pattern of include) {
    const found = matching(pattern);
    if (found.size === 0) errors.push(noMatch(config, pattern, names));
    for (const target of found) chosen.add(target);
  }
  for (const pattern of exclude) {
    const found = matching(pattern);
    if (found.size === 0) errors.push(noMatch(config, `!${pattern}`, names));
    for (const target of found) chosen.delete(target);
  }
  if (errors.length === 0 && chosen.size === 0) {
    errors.push({
      file: config.file,
      ...config.targetsPosition,
      title: 'No target selected',
      message: `The targets input '${patterns.join(', ')}' leaves no target to build; targets in ${config.file}: ${names.join(', ')}.`,
    });
  }
  return { selected: config.targets.filter((target) => chosen.has(target)), errors };
}

function noMatch(config: NeoConfig, pattern: string, names: readonly string[]): ConfigError {
  const groups = [...new Set(config.targets.map((target) => target.group))];
  const suggestion = closestMatch(pattern.replace(/^!/, ''), [...names, ...groups]);
  return {
    file: config.file,
    ...config.targetsPosition,
    title: 'Unknown target in the targets input',
    message: `The targets input names '${pattern}', which matches no target in ${config.file}${
      suggestion ? `; did you mean ${suggestion}?` : '.'
    } Targets: ${names.join(', ')}.`,
  };
}

function planTarget(
  target: NeoTarget,
  prefix: string,
  inputIdentity: Record<string, string>,
  inputUris: Record<string, string>,
): PlannedJob {
  const common = {
    target: target.name,
    region: target.region,
    ...(target.position && { position: target.position }),
  };
  if (target.kind === 'compilation') {
    const body = compilationRequest(target, inputUris);
    const jobName = nameFor(target, prefix, body, inputKey(body), inputIdentity);
    return {
      ...common,
      kind: 'compilation',
      jobName,
      device: describeDevice(target),
      request: { CompilationJobName: jobName, ...body },
    };
  }
  const body = optimizationRequest(target, inputUris);
  const jobName = nameFor(target, prefix, body, body.ModelSource?.S3?.S3Uri, inputIdentity);
  return {
    ...common,
    kind: 'optimization',
    jobName,
    device: target.instanceType,
    request: { OptimizationJobName: jobName, ...body },
  };
}

function inputKey(body: Omit<CreateCompilationJobRequest, 'CompilationJobName'>): string | undefined {
  return body.InputConfig?.S3Uri ?? body.ModelPackageVersionArn;
}

function nameFor(
  target: NeoTarget,
  prefix: string,
  body: object,
  input: string | undefined,
  inputIdentity: Record<string, string>,
): string {
  const identity =
    input !== undefined && Object.hasOwn(inputIdentity, input) ? inputIdentity[input] : undefined;
  // The target name and region take part too: two targets never share a name even if their requests match.
  const hash = hashOf({ target: target.name, region: target.region, request: body, inputIdentity: identity });
  return buildJobName(prefix, target.name, hash);
}

export function describeDevice(target: CompilationTarget): string {
  if (target.targetDevice) return target.targetDevice;
  const platform = target.targetPlatform;
  if (!platform) return 'unknown';
  return [platform.os, platform.arch, platform.accelerator].filter(Boolean).join('/');
}

function stoppingCondition(target: NeoTarget) {
  const condition = target.stoppingCondition;
  return {
    MaxRuntimeInSeconds: condition.maxRuntimeInSeconds,
    ...(condition.maxWaitTimeInSeconds !== undefined && {
      MaxWaitTimeInSeconds: condition.maxWaitTimeInSeconds,
    }),
    ...(condition.maxPendingTimeInSeconds !== undefined && {
      MaxPendingTimeInSeconds: condition.maxPendingTimeInSeconds,
    }),
  };
}

function sharedFields(target: NeoTarget) {
  return {
    ...(target.vpc && {
      VpcConfig: { SecurityGroupIds: target.vpc.securityGroupIds, Subnets: target.vpc.subnets },
    }),
    StoppingCondition: stoppingCondition(target),
    ...(target.tags.length > 0 && {
      Tags: target.tags.map(({ key, value }) => ({ Key: key, Value: value })),
    }),
  };
}

function compilationRequest(
  target: CompilationTarget,
  inputUris: Record<string, string>,
): Omit<CreateCompilationJobRequest, 'CompilationJobName'> {
  const { input, targetPlatform } = target;
  return {
    RoleArn: target.roleArn,
    ...(target.modelPackageArn !== undefined && { ModelPackageVersionArn: target.modelPackageArn }),
    ...(input && {
      InputConfig: {
        S3Uri: modelUri(input.source, inputUris),
        Framework: input.framework,
        ...(input.frameworkVersion !== undefined && { FrameworkVersion: input.frameworkVersion }),
        ...(input.dataInputConfig !== undefined && { DataInputConfig: input.dataInputConfig }),
      },
    }),
    OutputConfig: {
      S3OutputLocation: target.output.s3Location,
      ...(target.targetDevice !== undefined && { TargetDevice: target.targetDevice }),
      ...(targetPlatform && {
        TargetPlatform: {
          Os: targetPlatform.os,
          Arch: targetPlatform.arch,
          ...(targetPlatform.accelerator !== undefined && { Accelerator: targetPlatform.accelerator }),
        },
      }),
      ...(target.compilerOptions !== undefined && { CompilerOptions: target.compilerOptions }),
      ...(target.output.kmsKeyId !== undefined && { KmsKeyId: target.output.kmsKeyId }),
    },
    ...sharedFields(target),
  };
}

function optimizationConfig({
  technique,
  image,
  environment,
}: OptimizationTarget['optimizations'][number]): OptimizationConfig {
  const spec = {
    ...(image !== undefined && { Image: image }),
    ...(environment && { OverrideEnvironment: environment }),
  };
  switch (technique) {
    case 'quantization':
      return { ModelQuantizationConfig: spec };
    case 'compilation':
      return { ModelCompilationConfig: spec };
    case 'sharding':
      return { ModelShardingConfig: spec };
  }
}

function optimizationRequest(
  target: OptimizationTarget,
  inputUris: Record<string, string>,
): Omit<CreateOptimizationJobRequest, 'OptimizationJobName'> {
  return {
    RoleArn: target.roleArn,
    ModelSource: {
      S3: {
        S3Uri: modelUri(target.model.source, inputUris),
        ...(target.model.acceptEula !== undefined && {
          ModelAccessConfig: { AcceptEula: target.model.acceptEula },
        }),
      },
    },
    DeploymentInstanceType: target.instanceType,
    ...(target.maxInstanceCount !== undefined && { MaxInstanceCount: target.maxInstanceCount }),
    ...(target.environment && { OptimizationEnvironment: target.environment }),
    OptimizationConfigs: target.optimizations.map(optimizationConfig),
    OutputConfig: {
      S3OutputLocation: target.output.s3Location,
      ...(target.output.kmsKeyId !== undefined && { KmsKeyId: target.output.kmsKeyId }),
    },
    ...sharedFields(target),
  };
}

/**
 * Neo writes a compiled model as `<S3OutputLocation>/<model file name>-<device>.tar.gz`: two targets with the
 * same output location, model name and device (say, two batch sizes for jetson_nano) would overwrite each
 * other's artifact, and one target's output would silently be the other's binary.
 */
export function findArtifactCollisions(
  plan: readonly PlannedJob[],
  file: string,
  config?: NeoConfig,
): ConfigError[] {
  // s3-location as written (`${sha}` rather than the commit), so the suggested fix can be pasted into neo.yml.
  const written = new Map(
    (config?.targets ?? []).map((target) => [target.name, target.output.s3LocationAsWritten]),
  );
  const seen = new Map<string, PlannedJob>();
  const errors: ConfigError[] = [];
  for (const job of plan) {
    if (job.kind !== 'compilation') continue;
    const output = job.request.OutputConfig;
    const device =
      output?.TargetDevice ??
      [output?.TargetPlatform?.Os, output?.TargetPlatform?.Arch, output?.TargetPlatform?.Accelerator]
        .filter(Boolean)
        .join('_')
        .toLowerCase();
    const model =
      job.request.InputConfig?.S3Uri?.split('/')
        .pop()
        ?.replace(/\.tar\.gz$/, '') || 'model';
    const location = (output?.S3OutputLocation ?? '').replace(/\/*$/, '/');
    const key = `${job.region}\u0000${location}${model}-${device}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, job);
      continue;
    }
    const at = job.position ?? first.position ?? { line: 1, col: 1 };
    const asWritten = written.get(job.target);
    const prefix = asWritten === undefined ? location : asWritten.replace(/\/*$/, '/');
    errors.push({
      file,
      line: at.line,
      col: at.col,
      title: 'Targets overwrite each other’s artifact',
      message: `targets '${first.target}' and '${job.target}' would both write ${location}${model}-${device}.tar.gz (Neo names the artifact after the model and the device); give each its own output with \${target} in the path, e.g. s3-location: ${prefix}\${target}/`,
    });
  }
  return errors;
}

/** The S3 URI or model package ARN a job reads its model from (the key of PlanOptions.inputIdentity). */
function modelKey(job: PlannedJob): string | undefined {
  if (job.kind === 'optimization') return job.request.ModelSource?.S3?.S3Uri;
  return job.request.InputConfig?.S3Uri ?? job.request.ModelPackageVersionArn;
}

/**
 * Targets whose job name is provisional: their model is in S3 (or a model package), whose ETag or VersionId goes
 * into the name's hash and only a run with credentials reads. Local models are hashed offline, so theirs are final.
 */
export function provisionalJobNames(
  plan: readonly PlannedJob[],
  identity: Readonly<Record<string, string>>,
): Set<string> {
  return new Set(
    plan
      .filter((job) => {
        const key = modelKey(job);
        return key !== undefined && !Object.hasOwn(identity, key);
      })
      .map((job) => job.target),
  );
}

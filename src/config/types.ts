// The validated configuration: what readNeoConfig returns and planJobs turns into requests.
// Every target is complete (defaults inherited, matrix expanded, placeholders substituted,
// durations in seconds, maps serialized to the JSON strings the API takes).
import type {
  Framework,
  OptimizationJobDeploymentInstanceType,
  TargetDevice,
  TargetPlatformAccelerator,
  TargetPlatformArch,
  TargetPlatformOs,
} from '@aws-sdk/client-sagemaker';
import type { ConfigError, SourcePosition } from '../types.ts';

/** A problem that does not stop the run, shown as a `::warning` annotation at its line. */
export interface ConfigWarning extends ConfigError {
  severity: 'warning';
}

export interface NeoConfig {
  version: 1;
  /** The config file, for errors found later (e.g. by the `targets` input). */
  file: string;
  /** The job-prefix as written (placeholders substituted, sanitized); undefined: use the repository name. */
  jobPrefix?: string;
  /** Position of the `targets:` key, for errors about the `targets` action input. */
  targetsPosition: SourcePosition;
  /** In file order; matrix targets in combination order. Names are unique. */
  targets: NeoTarget[];
}

export type NeoTarget = CompilationTarget | OptimizationTarget;

/**
 * Where a target's model comes from. `position` is where the s3-uri / path value is written (the top-level
 * value when inherited, a matrix value when the matrix sets it).
 */
export type ModelInputSource =
  | { kind: 's3'; s3Uri: string; position: SourcePosition }
  | {
      kind: 'path';
      /** Relative to the workspace, placeholders substituted, as written otherwise (e.g. `models/resnet/`). */
      path: string;
      /** The S3 prefix the action uploads the model under (it chooses the key from the content). */
      uploadTo: string;
      position: SourcePosition;
      uploadToPosition: SourcePosition;
    };

/** One distinct model input of a config and every place it is used (see modelInputs). */
export type ModelInput =
  | { kind: 's3'; s3Uri: string; positions: SourcePosition[]; targets: string[] }
  | { kind: 'path'; path: string; uploadTo: string; positions: SourcePosition[]; targets: string[] };

export interface TargetCommon {
  name: string;
  /** The name of the `targets` entry the target comes from (differs from name for matrix targets). */
  group: string;
  /** Position of the target's entry in the file. */
  position: SourcePosition;
  region: string;
  roleArn: string;
  output: {
    s3Location: string;
    kmsKeyId?: string;
    /** s3-location as written in neo.yml, placeholders not substituted (`s3://bucket/${sha}/`), for messages. */
    s3LocationAsWritten?: string;
  };
  stoppingCondition: StoppingSeconds;
  vpc?: { securityGroupIds: string[]; subnets: string[] };
  /** In the order written (top-level tags first), keys unique. */
  tags: { key: string; value: string }[];
  /** Size budget of the artifact (the target's keys over the top-level ones). */
  budget?: { maxSize?: number; maxGrowthPercent?: number };
  /** S3 prefix (ending in /) of the run manifests, placeholders substituted. */
  history?: string;
}

export interface StoppingSeconds {
  maxRuntimeInSeconds: number;
  maxWaitTimeInSeconds?: number;
  maxPendingTimeInSeconds?: number;
}

export interface CompilationTarget extends TargetCommon {
  kind: 'compilation';
  /** Exactly one of input and modelPackageArn is set. */
  input?: {
    /** The S3 URI of the model; '' when the model is a local path (see source), uploaded by the action. */
    s3Uri: string;
    /** Where the model comes from: S3, or a path in the workspace that the action uploads before planning. */
    source: ModelInputSource;
    framework: Framework;
    frameworkVersion?: string;
    /** The JSON string sent as InputConfig.DataInputConfig. */
    dataInputConfig?: string;
    /** false: `preflight: false` in neo.yml, the archive is not opened before compiling. */
    preflight?: boolean;
  };
  modelPackageArn?: string;
  /** Position of the model-package-arn value (the top-level one when inherited). */
  modelPackageArnPosition?: SourcePosition;
  /** Exactly one of targetDevice and targetPlatform is set. */
  targetDevice?: TargetDevice;
  targetPlatform?: {
    os: TargetPlatformOs;
    arch: TargetPlatformArch;
    accelerator?: TargetPlatformAccelerator;
  };
  /** The string sent as OutputConfig.CompilerOptions. */
  compilerOptions?: string;
}

export type OptimizationTechnique = 'quantization' | 'compilation' | 'sharding';

export interface OptimizationTarget extends TargetCommon {
  kind: 'optimization';
  instanceType: OptimizationJobDeploymentInstanceType;
  model: {
    /** The S3 URI of the model; '' when the model is a local path (see source), uploaded by the action. */
    s3Uri: string;
    source: ModelInputSource;
    acceptEula?: boolean;
  };
  environment?: Record<string, string>;
  optimizations: { technique: OptimizationTechnique; image?: string; environment?: Record<string, string> }[];
  maxInstanceCount?: number;
}

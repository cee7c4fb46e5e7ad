// Shared data shapes that flow between the pipeline stages:
// read config -> validate -> plan -> submit -> watch -> report.
import type { CreateCompilationJobRequest, CreateOptimizationJobRequest } from '@aws-sdk/client-sagemaker';

export type JobKind = 'compilation' | 'optimization';

/** A location in the user's config file (1-based line and column), for annotations. */
export interface SourcePosition {
  line: number;
  col: number;
}

/** One problem found in the config, reported as a GitHub annotation at file:line:col. */
export interface ConfigError {
  file: string;
  line: number;
  col: number;
  /** Short title, e.g. "Unknown target device". */
  title: string;
  /** Full message including the fix, e.g. "device 'jetson_nan' is not a TargetDevice; did you mean jetson_nano?" */
  message: string;
}

/** Facts about the workflow run that placeholders and job names are built from. */
export interface RunContext {
  sha: string;
  refName: string;
  runId: string;
  runAttempt: string;
  repository: string; // owner/name
  /** Default region (AWS_REGION / AWS_DEFAULT_REGION); a target or the file may override it. */
  region: string;
  env: Record<string, string | undefined>;
}

/** The exact request for one target, ready to send. */
export type PlannedJob =
  | {
      target: string;
      kind: 'compilation';
      region: string;
      jobName: string;
      /** Human-readable target description: device name, "LINUX/ARM64/NVIDIA" or an instance type. */
      device: string;
      /** Line/column of the target in the config, for annotations about this target. */
      position?: SourcePosition;
      request: CreateCompilationJobRequest;
    }
  | {
      target: string;
      kind: 'optimization';
      region: string;
      jobName: string;
      device: string;
      position?: SourcePosition;
      request: CreateOptimizationJobRequest;
    };

/** SageMaker job status strings (CompilationJobStatus / OptimizationJobStatus share them). */
export type JobStatus = 'STARTING' | 'INPROGRESS' | 'COMPLETED' | 'FAILED' | 'STOPPING' | 'STOPPED';

/** What the action knows about one target's job at a point in time; the `jobs` output is built from it. */
export interface JobState {
  target: string;
  kind: JobKind;
  region: string;
  device: string;
  jobName: string;
  jobArn?: string;
  /** SageMaker status, or NOT_CREATED when the create call itself failed (see failureReason). */
  status: JobStatus | 'PENDING' | 'NOT_CREATED';
  artifact?: string;
  /** DescribeCompilationJob's ModelDigests.ArtifactDigest: a download is verified against it when it is a sha256. */
  artifactDigest?: string;
  failureReason?: string;
  /** Epoch milliseconds. */
  createdAt?: number;
  startedAt?: number;
  endedAt?: number;
  /** True when an earlier run's completed job was adopted instead of compiling anew. */
  reused?: boolean;
  /** The artifact downloaded into the workspace (`download` input), verified against its S3 size. */
  artifactFile?: { path: string; sha256: string; size: number };
  /** Bytes of the artifact in S3 (HeadObject; the sum under the prefix for optimization jobs). */
  artifactSize?: number;
  /** Why the `download` input did not download this artifact (e.g. an optimization job's folder of files). */
  downloadSkipped?: string;
}

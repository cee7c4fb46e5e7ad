// The contract between the emulator's parts and its users (tests, demo, bench).

/** Fault injection and behaviour knobs; mutable at runtime through `Emulator.faults` / `Emulator.sagemaker`. */
export interface FaultOptions {
  /** Fraction 0..1 of requests answered with ThrottlingException (SageMaker) / SlowDown (S3). */
  throttleRate: number;
  /** Fraction 0..1 of requests answered with HTTP 500 InternalFailure. */
  errorRate: number;
  /** Fraction 0..1 of requests whose connection is destroyed without any response. */
  dropRate: number;
  /** Added latency per request in milliseconds. */
  latencyMs: number;
  /** Seed for the pseudo-random fault decisions (deterministic tests). */
  seed: number;
  /** Only requests whose operation name is listed are subject to faults (undefined = all). */
  operations?: string[];
  /**
   * SageMaker only: fraction 0..1 of successful Create* requests whose job IS created but whose connection is then
   * destroyed without a response ("created but response lost"). Recorded with status 0.
   */
  dropAfterCreateRate?: number;
}

export interface JobTiming {
  /** Milliseconds in STARTING before INPROGRESS. */
  startingMs: number;
  /** Milliseconds in INPROGRESS before COMPLETED / FAILED. */
  inProgressMs: number;
  /** Milliseconds in STOPPING before STOPPED. */
  stoppingMs: number;
}

export interface SageMakerOptions {
  accountId: string;
  /** Concurrent non-terminal jobs (per region, compilation and optimization counted separately) before ResourceLimitExceeded. */
  quota: number;
  /** Max requests per second per operation before ThrottlingException (0 = unlimited). */
  rateLimitPerSecond: number;
  /** Default timing for every job; `timingFor` overrides per job. */
  timing: JobTiming;
  timingFor?: (jobName: string, request: Record<string, unknown>) => Partial<JobTiming> | undefined;
  /**
   * Failure rule: return a FailureReason to make the job end FAILED, undefined to let it complete.
   * Default rule: fails when the job name, TargetDevice or S3Uri contains "fail".
   */
  failureFor?: (jobName: string, request: Record<string, unknown>) => string | undefined;
  /**
   * When true, a job whose input model object (InputConfig.S3Uri / ModelSource.S3.S3Uri) is missing from the
   * ObjectStore ends FAILED with a ClientError, as Neo does. Default false.
   */
  requireInputArtifacts?: boolean;
}

/** One recorded HTTP call, for assertions. */
export interface RecordedCall {
  service: 'sagemaker' | 's3' | 'github';
  /** SageMaker operation (e.g. CreateCompilationJob), S3 operation (PutObject...) or "METHOD /path" for GitHub. */
  operation: string;
  region?: string;
  time: number;
  /** Parsed JSON body for SageMaker and GitHub; undefined for S3. */
  body?: unknown;
  /** HTTP status answered. */
  status: number;
  /** For GitHub: the Authorization header value; for S3: the key. */
  detail?: string;
}

/** The SageMaker emulator's record of a job (compilation or optimization). */
export interface EmulatedJob {
  kind: 'compilation' | 'optimization';
  name: string;
  arn: string;
  region: string;
  request: Record<string, unknown>;
  status: 'STARTING' | 'INPROGRESS' | 'COMPLETED' | 'FAILED' | 'STOPPING' | 'STOPPED';
  creationTime: number;
  lastModifiedTime: number;
  startTime?: number;
  endTime?: number;
  failureReason?: string;
  artifact?: string;
  /** Every status with the time it was entered, in order. */
  history: { status: string; time: number }[];
}

/** In-memory object store shared by the S3 emulator and the SageMaker emulator (artifacts). */
export interface ObjectStore {
  putObject(bucket: string, key: string, body: Buffer, contentType?: string): { etag: string };
  getObject(
    bucket: string,
    key: string,
  ): { body: Buffer; etag: string; contentType: string; lastModified: number } | undefined;
  listBuckets(): string[];
  createBucket(bucket: string): void;
}

export interface GitHubComment {
  id: number;
  body: string;
  user: { login: string; id: number; type: 'Bot' | 'User' };
  created_at: string;
  updated_at: string;
  html_url: string;
  issue_number: number;
  repo: string; // owner/name
}

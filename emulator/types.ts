// The contract between the emulator's parts and its users (tests, demo, bench).

/**
 * Fault injection knobs. The emulator reads this object on every request, so a test may change any member while a
 * run is in progress: `emulator.sagemaker.faults.hangRate = 1` (or `Object.assign(emulator.sagemaker.faults, {...})`)
 * affects the next request. Random decisions use one PRNG seeded by `seed` (changing `seed` restarts it).
 */
export interface FaultOptions {
  /** Fraction 0..1 of requests answered with ThrottlingException (SageMaker) / SlowDown (S3). */
  throttleRate: number;
  /** Fraction 0..1 of requests answered with HTTP 500 InternalFailure. */
  errorRate: number;
  /**
   * Message text of the injected ThrottlingException / InternalFailure answers (default: the service's own text), so
   * tests can feed hostile service text (multi-line, markup, workflow commands) to the client. Sent unchanged.
   */
  errorMessage?: string;
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
  /**
   * SageMaker only: fraction 0..1 of successful Create* AND Stop* requests whose effect happens (job created / stop
   * begun) but whose connection is then destroyed without a response. Recorded with status 0 and
   * detail "dropped-after-effect". Applies on top of `dropAfterCreateRate` (which covers Create* only).
   */
  dropAfterEffectRate?: number;
  /**
   * SageMaker only: fraction 0..1 of requests that are read and then never answered: the socket is held open (no
   * response, no close) until the client gives up or the emulator closes (`close()` destroys held sockets). Nothing
   * happens to any job. Recorded at once with status 0 and detail "hung".
   */
  hangRate?: number;
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
  /**
   * Stop* requests are answered only after this many milliseconds; the stop takes effect (STOPPING) when answered.
   * Read per request, so it can be changed at runtime: `emulator.sagemaker.options.stopDelayMs = 5000`.
   */
  stopDelayMs?: number;
  /**
   * Credentials that stop working: once `afterCalls` (default 0) SageMaker requests have been answered since this
   * value was set, every matching request is refused as the service refuses it (see `AuthFailure`). Switch it at
   * runtime with `emulator.sagemaker.failAuth(code | undefined)` or by assigning `options.authFailure` (assigning a
   * new object restarts the `afterCalls` count).
   */
  authFailure?: AuthFailure;
  /**
   * Overrides the artifact location of a job that ends COMPLETED (DescribeCompilationJob's
   * ModelArtifacts.S3ModelArtifacts; `jobs()[i].artifact` for both kinds); undefined keeps the emulator's own. The
   * artifacts are still written where they would be. For injecting hostile service text (issue 11); sent unchanged.
   */
  artifactFor?: (jobName: string, request: Record<string, unknown>) => string | undefined;
  /**
   * Bytes of compiled weights in a job's artifact (compilation: `compiled.params` inside the .tar.gz, which adds
   * about 2 KB; optimization: `model.safetensors`), by the job's device (TargetDevice, the platform as
   * os_arch_accelerator in lower case, or the instance type). Default 1024 / 2048. Read when a job completes.
   */
  artifactBytesFor?: (device: string, jobName: string) => number | undefined;
}

/** See `SageMakerOptions.authFailure`. */
export interface AuthFailure {
  /**
   * The error the service answers: `ExpiredTokenException` (400), `InvalidClientTokenId` (403),
   * `UnrecognizedClientException` (400), `AccessDeniedException` (400); any other code is answered 400 with it.
   */
  code: string;
  /** SageMaker requests answered (any operation, any status) before the failure starts. Default 0. */
  afterCalls?: number;
  /** Only these operations fail (undefined = all). */
  operations?: string[];
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
  /**
   * For GitHub: the Authorization header value; for S3: the key. For SageMaker requests answered with no response
   * (status 0): "dropped", "dropped-after-create", "dropped-after-effect" or "hung".
   */
  detail?: string;
  /** S3 only: the request asked for the object's checksum (`x-amz-checksum-mode: ENABLED`). */
  checksumMode?: boolean;
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

// Thin adapter from the scheduler's JobApi to the SageMaker SDK: one client per region, plain data out.
import {
  CreateCompilationJobCommand,
  CreateOptimizationJobCommand,
  DescribeCompilationJobCommand,
  DescribeOptimizationJobCommand,
  ListCompilationJobsCommand,
  ListOptimizationJobsCommand,
  SageMakerClient,
  StopCompilationJobCommand,
  StopOptimizationJobCommand,
} from '@aws-sdk/client-sagemaker';
import type { JobKind, JobStatus, PlannedJob } from '../types.ts';

/** What a List or Describe call tells about one job. */
export interface JobSnapshot {
  name: string;
  arn: string;
  status: JobStatus;
  creationTime: number;
  lastModifiedTime?: number;
  startTime?: number;
  endTime?: number;
  failureReason?: string;
  artifact?: string;
  inferenceImage?: string;
  artifactDigest?: string;
}

export interface ListQuery {
  nameContains: string;
  creationTimeAfter?: number;
  /** Stop paging once this returns true for the snapshots gathered so far. */
  enough?: (seen: JobSnapshot[]) => boolean;
}

/** A List sweep's answer: the jobs seen and how many pages (requests) it took. */
export interface ListResult {
  jobs: JobSnapshot[];
  pages: number;
}

/**
 * The SageMaker operations the scheduler needs. Every call takes the run's signal (cancel, deadline, fatal
 * error) and has its own per-attempt timeout; errors are classified by `classifyAwsError`.
 */
export interface JobApi {
  create(job: PlannedJob, signal?: AbortSignal): Promise<{ arn: string }>;
  describe(kind: JobKind, region: string, name: string, signal?: AbortSignal): Promise<JobSnapshot>;
  list(kind: JobKind, region: string, query: ListQuery, signal?: AbortSignal): Promise<ListResult>;
  stop(kind: JobKind, region: string, name: string, signal?: AbortSignal): Promise<void>;
  /** Count of calls the SDK retried since the last read (throttling signal for the poll interval). */
  takeRetryCount(): number;
}

export interface SageMakerApiOptions {
  maxAttempts?: number;
  /** Per attempt: time to connect (ms). */
  connectionTimeoutMs?: number;
  /** Per attempt: time for the whole answer (ms); a connection that accepts and never answers ends here. */
  requestTimeoutMs?: number;
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

const millis = (date: Date | undefined): number | undefined => (date ? date.getTime() : undefined);

export function createSageMakerJobApi(options: SageMakerApiOptions = {}): JobApi {
  const clients = new Map<string, SageMakerClient>();
  let retries = 0;
  const clientFor = (region: string): SageMakerClient => {
    let client = clients.get(region);
    if (!client) {
      // Standard mode (backoff with jitter), not adaptive: adaptive's client-side rate limiter falls to about
      // one request per second after a few throttles of bursty traffic and stretched an 8-job run from 2 s to
      // 35 s on the emulator. Sweeps widen their own interval instead, and the scheduler requeues what the
      // SDK gives up on.
      client = new SageMakerClient({
        region,
        retryMode: 'standard',
        maxAttempts: options.maxAttempts ?? 6,
        // Per attempt: a hung connection fails as TimeoutError (retried by the SDK), never waits forever.
        requestHandler: {
          connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
          requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
          throwOnRequestTimeout: true,
        },
      });
      clients.set(region, client);
    }
    return client;
  };
  const note = <T extends { $metadata: { attempts?: number } }>(output: T): T => {
    retries += Math.max(0, (output.$metadata.attempts ?? 1) - 1);
    return output;
  };

  return {
    async create(job, signal) {
      const client = clientFor(job.region);
      const abortable = { abortSignal: signal };
      if (job.kind === 'compilation') {
        const out = note(await client.send(new CreateCompilationJobCommand(job.request), abortable));
        return { arn: out.CompilationJobArn ?? '' };
      }
      const out = note(await client.send(new CreateOptimizationJobCommand(job.request), abortable));
      return { arn: out.OptimizationJobArn ?? '' };
    },

    async describe(kind, region, name, signal) {
      const client = clientFor(region);
      const abortable = { abortSignal: signal };
      if (kind === 'compilation') {
        const out = note(
          await client.send(new DescribeCompilationJobCommand({ CompilationJobName: name }), abortable),
        );
        return {
          name,
          arn: out.CompilationJobArn ?? '',
          status: out.CompilationJobStatus as JobStatus,
          creationTime: millis(out.CreationTime) ?? Date.now(),
          lastModifiedTime: millis(out.LastModifiedTime),
          startTime: millis(out.CompilationStartTime),
          endTime: millis(out.CompilationEndTime),
          failureReason: out.FailureReason,
          artifact: out.ModelArtifacts?.S3ModelArtifacts,
          inferenceImage: out.InferenceImage,
          artifactDigest: out.ModelDigests?.ArtifactDigest,
        };
      }
      const out = note(
        await client.send(new DescribeOptimizationJobCommand({ OptimizationJobName: name }), abortable),
      );
      return {
        name,
        arn: out.OptimizationJobArn ?? '',
        status: out.OptimizationJobStatus as JobStatus,
        creationTime: millis(out.CreationTime) ?? Date.now(),
        lastModifiedTime: millis(out.LastModifiedTime),
        startTime: millis(out.OptimizationStartTime),
        endTime: millis(out.OptimizationEndTime),
        failureReason: out.FailureReason,
        artifact: out.OptimizationJobStatus === 'COMPLETED' ? out.OutputConfig?.S3OutputLocation : undefined,
        inferenceImage: out.OptimizationOutput?.RecommendedInferenceImage,
      };
    },

    async list(kind, region, query, signal) {
      const client = clientFor(region);
      const abortable = { abortSignal: signal };
      const seen: JobSnapshot[] = [];
      let pages = 0;
      let nextToken: string | undefined;
      const creationTimeAfter =
        query.creationTimeAfter === undefined ? undefined : new Date(query.creationTimeAfter);
      do {
        pages++;
        const page = {
          // The API rejects an empty NameContains; without a common prefix, list everything in the window.
          NameContains: query.nameContains || undefined,
          CreationTimeAfter: creationTimeAfter,
          MaxResults: 100,
          NextToken: nextToken,
          SortBy: 'CreationTime' as const,
          SortOrder: 'Descending' as const,
        };
        if (kind === 'compilation') {
          const out = note(await client.send(new ListCompilationJobsCommand(page), abortable));
          for (const s of out.CompilationJobSummaries ?? []) {
            seen.push({
              name: s.CompilationJobName ?? '',
              arn: s.CompilationJobArn ?? '',
              status: s.CompilationJobStatus as JobStatus,
              creationTime: millis(s.CreationTime) ?? 0,
              lastModifiedTime: millis(s.LastModifiedTime),
              startTime: millis(s.CompilationStartTime),
              endTime: millis(s.CompilationEndTime),
            });
          }
          nextToken = out.NextToken;
        } else {
          const out = note(await client.send(new ListOptimizationJobsCommand(page), abortable));
          for (const s of out.OptimizationJobSummaries ?? []) {
            seen.push({
              name: s.OptimizationJobName ?? '',
              arn: s.OptimizationJobArn ?? '',
              status: s.OptimizationJobStatus as JobStatus,
              creationTime: millis(s.CreationTime) ?? 0,
              lastModifiedTime: millis(s.LastModifiedTime),
              startTime: millis(s.OptimizationStartTime),
              endTime: millis(s.OptimizationEndTime),
            });
          }
          nextToken = out.NextToken;
        }
      } while (nextToken && !query.enough?.(seen));
      return { jobs: seen, pages };
    },

    async stop(kind, region, name, signal) {
      const client = clientFor(region);
      const abortable = { abortSignal: signal };
      if (kind === 'compilation')
        note(await client.send(new StopCompilationJobCommand({ CompilationJobName: name }), abortable));
      else note(await client.send(new StopOptimizationJobCommand({ OptimizationJobName: name }), abortable));
    },

    takeRetryCount() {
      const count = retries;
      retries = 0;
      return count;
    },
  };
}

/** The error name the SDK gives a service exception (ResourceInUse, ThrottlingException, ...). */
export function awsErrorName(error: unknown): string {
  if (error && typeof error === 'object' && 'name' in error) return String((error as { name: unknown }).name);
  return 'Error';
}

/**
 * What an error from a SageMaker call means for the caller, decided here and nowhere else:
 * - throttle: rate exceeded; try again later.
 * - quota: ResourceLimitExceeded; wait for a free slot.
 * - credentials: expired or invalid credentials; every later call fails too.
 * - denied: the policy refuses this operation.
 * - in-use: a job with this name exists.
 * - not-found: no job with this name.
 * - validation: the request itself is wrong; repeating it will not help.
 * - transient: 5xx, network, per-attempt timeout: the request may or may not have had its effect.
 * - aborted: the run's signal ended the call (cancel, deadline, fatal error elsewhere).
 */
export type AwsErrorKind =
  | 'throttle'
  | 'quota'
  | 'credentials'
  | 'denied'
  | 'in-use'
  | 'not-found'
  | 'validation'
  | 'transient'
  | 'aborted'
  | 'other';

const THROTTLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
]);
const CREDENTIAL_NAMES = new Set([
  'ExpiredTokenException',
  'ExpiredToken',
  'TokenExpired',
  'RequestExpired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'InvalidAccessKeyId',
  'CredentialsProviderError',
]);
const TRANSIENT_NAMES = new Set([
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'InternalFailure',
  'InternalServerError',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export function classifyAwsError(error: unknown): AwsErrorKind {
  if (!error || typeof error !== 'object') return 'other';
  const e = error as {
    name?: string;
    code?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = e.name ?? '';
  if (name === 'AbortError' || name === 'DeadlineError') return 'aborted';
  if (CREDENTIAL_NAMES.has(name)) return 'credentials';
  if (/^AccessDenied|^UnauthorizedOperation$|^NotAuthorized/.test(name)) return 'denied';
  if (THROTTLE_NAMES.has(name)) return 'throttle';
  if (name === 'ResourceLimitExceeded') return 'quota';
  if (name === 'ResourceInUse') return 'in-use';
  if (name === 'ResourceNotFound') return 'not-found';
  if (name === 'ValidationException' || name === 'SerializationException') return 'validation';
  if (
    TRANSIENT_NAMES.has(name) ||
    TRANSIENT_CODES.has(e.code ?? '') ||
    e.$fault === 'server' ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500
  ) {
    return 'transient';
  }
  // An SDK error without an HTTP answer (socket hang up, TLS failure) is a network failure.
  if (
    e.$metadata === undefined &&
    e.$fault === undefined &&
    /socket|network|connect/i.test(String((error as Error).message))
  ) {
    return 'transient';
  }
  return 'other';
}

export function awsErrorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * True when the SDK sent the request more than once: an earlier attempt of a Create may have created the
 * job even though the final answer is an error (ResourceInUse after a lost answer).
 */
export function sentMoreThanOnce(error: unknown): boolean {
  const attempts = (error as { $metadata?: { attempts?: number } } | null)?.$metadata?.attempts;
  return typeof attempts === 'number' && attempts > 1;
}

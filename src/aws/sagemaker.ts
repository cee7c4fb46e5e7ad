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
  /** Abandons the call (a sweep interrupted by a cancel). */
  signal?: AbortSignal;
}

/** The SageMaker operations the scheduler needs; every call reports whether the SDK had to retry. */
export interface JobApi {
  create(job: PlannedJob): Promise<{ arn: string }>;
  describe(kind: JobKind, region: string, name: string, signal?: AbortSignal): Promise<JobSnapshot>;
  list(kind: JobKind, region: string, query: ListQuery): Promise<JobSnapshot[]>;
  stop(kind: JobKind, region: string, name: string): Promise<void>;
  /** Count of calls the SDK retried since the last read (throttling signal for the poll interval). */
  takeRetryCount(): number;
  /** Requests sent so far, per operation (List pages count one each), for the debug log and the benchmark. */
  readonly calls: Record<string, number>;
}

const millis = (date: Date | undefined): number | undefined => (date ? date.getTime() : undefined);

export function createSageMakerJobApi(options: { maxAttempts?: number } = {}): JobApi {
  const clients = new Map<string, SageMakerClient>();
  let retries = 0;
  const clientFor = (region: string): SageMakerClient => {
    let client = clients.get(region);
    if (!client) {
      // Standard mode (backoff with jitter), not adaptive: adaptive's client-side rate limiter falls to about
      // one request per second after a few throttles of bursty traffic and stretched an 8-job run from 2 s to
      // 35 s on the emulator. Sweeps widen their own interval instead, and the scheduler requeues what the
      // SDK gives up on.
      client = new SageMakerClient({ region, retryMode: 'standard', maxAttempts: options.maxAttempts ?? 6 });
      clients.set(region, client);
    }
    return client;
  };
  const calls: Record<string, number> = {};
  const note = <T extends { $metadata: { attempts?: number } }>(output: T): T => {
    retries += Math.max(0, (output.$metadata.attempts ?? 1) - 1);
    return output;
  };
  const count = (operation: string) => {
    calls[operation] = (calls[operation] ?? 0) + 1;
  };

  return {
    calls,

    async create(job) {
      count('Create');
      const client = clientFor(job.region);
      if (job.kind === 'compilation') {
        const out = note(await client.send(new CreateCompilationJobCommand(job.request)));
        return { arn: out.CompilationJobArn ?? '' };
      }
      const out = note(await client.send(new CreateOptimizationJobCommand(job.request)));
      return { arn: out.OptimizationJobArn ?? '' };
    },

    async describe(kind, region, name, signal) {
      count('Describe');
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

    async list(kind, region, query) {
      const client = clientFor(region);
      const seen: JobSnapshot[] = [];
      let nextToken: string | undefined;
      const creationTimeAfter =
        query.creationTimeAfter === undefined ? undefined : new Date(query.creationTimeAfter);
      do {
        count('List');
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
          const out = note(
            await client.send(new ListCompilationJobsCommand(page), { abortSignal: query.signal }),
          );
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
          const out = note(
            await client.send(new ListOptimizationJobsCommand(page), { abortSignal: query.signal }),
          );
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
      return seen;
    },

    async stop(kind, region, name) {
      count('Stop');
      const client = clientFor(region);
      if (kind === 'compilation')
        note(await client.send(new StopCompilationJobCommand({ CompilationJobName: name })));
      else note(await client.send(new StopOptimizationJobCommand({ OptimizationJobName: name })));
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

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
]);
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** Throttling, 5xx and network failures: worth trying again later; the request itself is fine. */
export function isTransientAwsError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as {
    name?: string;
    code?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
  };
  return (
    TRANSIENT_NAMES.has(e.name ?? '') ||
    TRANSIENT_CODES.has(e.code ?? '') ||
    e.$fault === 'server' ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500
  );
}

export function awsErrorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

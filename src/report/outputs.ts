// Builds the step outputs and the one-line failure reason from the final job states. Pure.

import type { FatalAwsError } from '../run/context.ts';
import type { ScheduleOutcome } from '../run/schedule.ts';
import type { JobState, PlannedJob } from '../types.ts';
import { jobDurationMs } from './status.ts';

export type RunStatus = 'succeeded' | 'failed' | 'submitted' | 'planned';

/** One entry of the `jobs` output (kebab-case keys, as documented in action.yml). */
export interface JobOutput {
  target: string;
  kind: JobState['kind'];
  region: string;
  device: string;
  'job-name': string;
  'job-arn': string | null;
  status: JobState['status'];
  reused: boolean;
  artifact: string | null;
  'failure-reason': string | null;
  'duration-seconds': number | null;
  /** With the `download` input: the file in the workspace, its sha256 and size. */
  'artifact-file'?: string;
  'artifact-sha256'?: string;
  'artifact-size'?: number;
}

export function durationSeconds(job: JobState, now: number): number | null {
  const ms = jobDurationMs(job, now);
  return ms === undefined ? null : Math.round(ms / 100) / 10;
}

export function jobOutputs(jobs: JobState[], now: number): JobOutput[] {
  return jobs.map((job) => ({
    target: job.target,
    kind: job.kind,
    region: job.region,
    device: job.device,
    'job-name': job.jobName,
    'job-arn': job.jobArn ?? null,
    status: job.status,
    reused: job.reused === true,
    artifact: job.status === 'COMPLETED' ? (job.artifact ?? null) : null,
    'failure-reason': job.failureReason ?? null,
    'duration-seconds': durationSeconds(job, now),
    ...(job.artifactSize !== undefined ? { 'artifact-size': job.artifactSize } : {}),
    ...(job.artifactFile
      ? {
          'artifact-file': job.artifactFile.path,
          'artifact-sha256': job.artifactFile.sha256,
          'artifact-size': job.artifactFile.size,
        }
      : {}),
  }));
}

export function runStatus(jobs: JobState[], outcome: ScheduleOutcome): RunStatus {
  if (
    outcome === 'submitted' &&
    jobs.every((job) => job.status !== 'NOT_CREATED' && job.status !== 'FAILED')
  ) {
    return 'submitted';
  }
  return jobs.length > 0 && jobs.every((job) => job.status === 'COMPLETED') ? 'succeeded' : 'failed';
}

/** GitHub refuses an output above 1 MB; the `jobs` output stays below with room to spare. */
export const MAX_JOBS_OUTPUT_BYTES = 1_000_000 - 4_096;

/**
 * The `jobs` output: the whole list as JSON when it fits in `maxBytes`, else as many entries as fit and a last
 * entry `{"truncated": true, ...}` saying how many were left out and where the full list is.
 */
export function jobsOutput(
  list: unknown[],
  fullListAt: string | undefined,
  maxBytes = MAX_JOBS_OUTPUT_BYTES,
): string {
  const whole = JSON.stringify(list);
  if (Buffer.byteLength(whole) <= maxBytes) return whole;
  const marker = (shown: number) =>
    JSON.stringify({
      truncated: true,
      shown,
      total: list.length,
      'full-list': fullListAt ? `jobs-file output: ${fullListAt}` : 'the job summary',
    });
  const parts: string[] = [];
  // Brackets, commas and the marker (sized for the largest count) must fit too.
  let size = 2 + Buffer.byteLength(marker(list.length));
  for (const item of list) {
    const text = JSON.stringify(item);
    const bytes = Buffer.byteLength(text) + 1;
    if (size + bytes > maxBytes) break;
    parts.push(text);
    size += bytes;
  }
  return `[${[...parts, marker(parts.length)].join(',')}]`;
}

/** All outputs of a run that created (or tried to create) jobs. */
export function buildOutputs(
  jobs: JobState[],
  outcome: ScheduleOutcome,
  now: number,
  jobsFile?: string,
): Record<string, string> {
  const artifacts: Record<string, string> = {};
  for (const job of jobs)
    if (job.status === 'COMPLETED' && job.artifact) artifacts[job.target] = job.artifact;
  const outputs: Record<string, string> = {
    status: runStatus(jobs, outcome),
    artifacts: JSON.stringify(artifacts),
    jobs: jobsOutput(jobOutputs(jobs, now), jobsFile),
    // Replaced by the sizes stage when it runs; documented as [] / '' when there is nothing to say.
    'over-budget': '[]',
    baseline: '',
  };
  if (jobsFile) outputs['jobs-file'] = jobsFile;
  for (const [target, uri] of Object.entries(artifacts)) outputs[`artifact-${target}`] = uri;
  return outputs;
}

/** Outputs of a dry run: the plan, no job. */
export function planOutputs(plan: PlannedJob[]): Record<string, string> {
  return {
    status: 'planned',
    artifacts: '{}',
    jobs: JSON.stringify(
      plan.map((job) => ({
        target: job.target,
        kind: job.kind,
        region: job.region,
        device: job.device,
        'job-name': job.jobName,
        'job-arn': null,
        status: 'PLANNED',
        reused: false,
        artifact: null,
        'failure-reason': null,
        'duration-seconds': null,
      })),
    ),
    'over-budget': '[]',
    baseline: '',
  };
}

export interface FailureDetails {
  /** Why the run ended with 'auth-failed'. */
  fatal?: FatalAwsError;
  /** This run's jobs still running that were not stopped. */
  notStopped?: JobState[];
  /** Adopted jobs still running, left to the run that created them. */
  leftToOthers?: JobState[];
  /** The `timeout` input, for the role-duration advice. */
  timeoutMs?: number;
}

/** The step's one-line failure reason, naming the targets that did not complete; undefined on success. */
export function failureSummary(
  jobs: JobState[],
  outcome: ScheduleOutcome,
  details: FailureDetails = {},
): string | undefined {
  if (outcome === 'auth-failed' && details.fatal) return authFailure(details.fatal, details);
  if (outcome === 'submitted') {
    const notCreated = jobs.filter((job) => job.status === 'NOT_CREATED');
    return notCreated.length
      ? `${notCreated.length} job(s) could not be created: ${names(notCreated)}`
      : undefined;
  }
  const incomplete = jobs.filter((job) => job.status !== 'COMPLETED');
  if (incomplete.length === 0) return undefined;
  const why =
    outcome === 'timeout'
      ? ' (timeout reached; running jobs were stopped)'
      : outcome === 'cancelled'
        ? ' (cancelled)'
        : '';
  const byStatus = new Map<string, JobState[]>();
  for (const job of incomplete) byStatus.set(job.status, [...(byStatus.get(job.status) ?? []), job]);
  const parts = [...byStatus].map(
    ([status, list]) => `${status.toLowerCase().replace('_', ' ')}: ${names(list)}`,
  );
  const notes: string[] = [];
  if (details.leftToOthers?.length) {
    notes.push(
      `left running for the run that created them (this run only adopted them): ${names(details.leftToOthers)}`,
    );
  }
  if (details.notStopped?.length) {
    notes.push(
      `NOT stopped, still running (no time left or the Stop failed): ${withJobNames(details.notStopped)}`,
    );
  }
  return `${incomplete.length} of ${jobs.length} target(s) did not complete${why}: ${parts.join('; ')}${notes.map((note) => `. ${note}`).join('')}`;
}

function authFailure(fatal: FatalAwsError, details: FailureDetails): string {
  const expired = /Expired|RequestExpired/i.test(fatal.code);
  const head =
    fatal.kind === 'denied'
      ? `AWS denied ${fatal.operation} (${fatal.code}: ${fatal.message}); the run stopped at once.`
      : `AWS credentials ${expired ? 'expired' : 'are invalid'} during the run (${fatal.code} on ${fatal.operation}: ${fatal.message}); the run stopped at once.`;
  const running = details.notStopped ?? [];
  const left = running.length
    ? ` ${running.length} job(s) of this run are still running and were NOT stopped (stopping needs valid credentials too): ${withJobNames(running)}. Stop them in the SageMaker console or with aws sagemaker stop-compilation-job.`
    : ' No job of this run was left running.';
  const advice =
    fatal.kind === 'denied'
      ? ` Allow sagemaker:${fatal.operation} in the workflow role's policy.`
      : expired
        ? ` Give the role session more time than the action's timeout: ${roleDurationAdvice(details.timeoutMs)}.`
        : ' Check the credentials the workflow passes to this step (aws-actions/configure-aws-credentials).';
  return head + left + advice;
}

/** e.g. "role-duration-seconds: 4500 in aws-actions/configure-aws-credentials (timeout is 3600 s)". */
export function roleDurationAdvice(timeoutMs: number | undefined): string {
  if (!timeoutMs) {
    return 'set role-duration-seconds in aws-actions/configure-aws-credentials above your longest run (timeout is 0: no limit)';
  }
  const timeoutS = Math.ceil(timeoutMs / 1000);
  // The session must outlast the wait plus the submit, the stops and the report; at least 15 minutes more.
  const suggested = Math.max(900, Math.ceil((timeoutS + 900) / 300) * 300);
  return `role-duration-seconds: ${suggested} (longer than timeout, ${timeoutS} s) in aws-actions/configure-aws-credentials`;
}

function withJobNames(jobs: JobState[]): string {
  const shown = jobs.slice(0, 10).map((job) => `${job.target} (${job.jobName})`);
  return shown.join(', ') + (jobs.length > shown.length ? ` and ${jobs.length - shown.length} more` : '');
}

function names(jobs: JobState[]): string {
  const shown = jobs.slice(0, 10).map((job) => job.target);
  return shown.join(', ') + (jobs.length > shown.length ? ` and ${jobs.length - shown.length} more` : '');
}

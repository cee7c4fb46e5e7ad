// Builds the step outputs and the one-line failure reason from the final job states. Pure.

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

/** All outputs of a run that created (or tried to create) jobs. */
export function buildOutputs(
  jobs: JobState[],
  outcome: ScheduleOutcome,
  now: number,
): Record<string, string> {
  const artifacts: Record<string, string> = {};
  for (const job of jobs)
    if (job.status === 'COMPLETED' && job.artifact) artifacts[job.target] = job.artifact;
  const outputs: Record<string, string> = {
    status: runStatus(jobs, outcome),
    artifacts: JSON.stringify(artifacts),
    jobs: JSON.stringify(jobOutputs(jobs, now)),
  };
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
  };
}

/** The step's one-line failure reason, naming the targets that did not complete; undefined on success. */
export function failureSummary(jobs: JobState[], outcome: ScheduleOutcome): string | undefined {
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
  return `${incomplete.length} of ${jobs.length} target(s) did not complete${why}: ${parts.join('; ')}`;
}

function names(jobs: JobState[]): string {
  const shown = jobs.slice(0, 10).map((job) => job.target);
  return shown.join(', ') + (jobs.length > shown.length ? ` and ${jobs.length - shown.length} more` : '');
}

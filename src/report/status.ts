// How a job's state reads in reports: the status a person cares about, its emoji, and durations.
import type { JobState } from '../types.ts';

export type DisplayStatus = 'queued' | 'running' | 'completed' | 'reused' | 'failed' | 'stopped';

/** Order used for counts: outcomes first, then what is still going on. */
export const DISPLAY_STATUSES: readonly DisplayStatus[] = [
  'completed',
  'reused',
  'failed',
  'stopped',
  'running',
  'queued',
];

export const STATUS_EMOJI: Readonly<Record<DisplayStatus, string>> = {
  queued: '⏳',
  running: '🔄',
  completed: '✅',
  reused: '♻️',
  failed: '❌',
  stopped: '⏹️',
};

export function displayStatus(job: JobState): DisplayStatus {
  switch (job.status) {
    case 'PENDING':
    case 'STARTING':
      return 'queued';
    case 'INPROGRESS':
      return 'running';
    case 'COMPLETED':
      return job.reused ? 'reused' : 'completed';
    case 'FAILED':
    case 'NOT_CREATED':
      return 'failed';
    case 'STOPPING':
    case 'STOPPED':
      return 'stopped';
  }
}

export function isFinished(status: DisplayStatus): boolean {
  return status !== 'queued' && status !== 'running';
}

export function countByStatus(jobs: readonly JobState[]): Record<DisplayStatus, number> {
  const counts: Record<DisplayStatus, number> = {
    queued: 0,
    running: 0,
    completed: 0,
    reused: 0,
    failed: 0,
    stopped: 0,
  };
  for (const job of jobs) counts[displayStatus(job)]++;
  return counts;
}

/** Milliseconds from creation to end (or to `now` while the job runs); undefined before creation. */
export function jobDurationMs(job: JobState, now: number): number | undefined {
  if (job.createdAt === undefined) return undefined;
  return Math.max(0, (job.endedAt ?? now) - job.createdAt);
}

/** `45s`, `1m 23s`, `2h 5m 0s`. */
export function formatDuration(ms: number): string {
  const totalSeconds = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h ${minutes}m ${seconds}s`;
  if (minutes > 0) return `${minutes}m ${seconds}s`;
  return `${seconds}s`;
}

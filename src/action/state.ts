// What the main step leaves for the post step (GITHUB_STATE), so that a killed main step leaves no orphan job.
import type { JobKind, JobState } from '../types.ts';

export interface SavedJob {
  kind: JobKind;
  region: string;
  name: string;
}

/** Each job gets its own state key: saveState appends a line per call, so one growing list would be O(n^2). */
export const jobStateKey = (index: number) => `job-${index}`;
export const JOB_COUNT_KEY = 'job-count';
/** 'stop' (default): post stops what is still running; 'leave': main finished or `wait: false`. */
export const POST_MODE_KEY = 'post-mode';

export function encodeSavedJob(job: JobState): string {
  return JSON.stringify({ kind: job.kind, region: job.region, name: job.jobName } satisfies SavedJob);
}

export function decodeSavedJobs(getState: (key: string) => string): SavedJob[] {
  const count = Number(getState(JOB_COUNT_KEY) || '0');
  const jobs: SavedJob[] = [];
  for (let i = 0; i < count; i++) {
    const raw = getState(jobStateKey(i));
    if (!raw) continue;
    try {
      jobs.push(JSON.parse(raw) as SavedJob);
    } catch {
      // A torn write from a killed process: skip that entry.
    }
  }
  return jobs;
}

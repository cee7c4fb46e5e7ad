// What the main step leaves for the post step (GITHUB_STATE): one entry per target this run created or may
// have created, so a killed main step leaves no orphan. The post step reads every entry on its own: a bad
// entry is a warning, never a crash, and the work is bounded whatever the state holds.
import type { SavedJob } from '../run/ledger.ts';

export type { SavedJob };

/** Each target gets its own state key: saveState appends a line per call, so one growing list would be O(n^2). */
export const jobStateKey = (index: number) => `job-${index}`;
export const JOB_COUNT_KEY = 'job-count';
/** 'stop' (default): post stops what is still running; 'leave': main finished or `wait: false`. */
export const POST_MODE_KEY = 'post-mode';
/** The post step reads at most this many entries (a run has at most one per target). */
export const MAX_SAVED_JOBS = 5_000;

const JOB_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const LIFECYCLES = new Set(['creating', 'created', 'released']);

export function encodeSavedJob(job: SavedJob): string {
  return JSON.stringify(job);
}

/** Checks one saved entry; the reason it is unusable otherwise. */
export function parseSavedJob(raw: string): SavedJob | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { error: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not an object' };
  const v = value as Record<string, unknown>;
  if (v.kind !== 'compilation' && v.kind !== 'optimization') return { error: 'no valid kind' };
  if (typeof v.region !== 'string' || !REGION.test(v.region)) return { error: 'no valid region' };
  if (typeof v.name !== 'string' || !JOB_NAME.test(v.name)) return { error: 'no valid job name' };
  if (typeof v.lifecycle !== 'string' || !LIFECYCLES.has(v.lifecycle)) return { error: 'no valid lifecycle' };
  if (typeof v.runStart !== 'number' || !Number.isFinite(v.runStart)) return { error: 'no valid runStart' };
  return {
    kind: v.kind,
    region: v.region,
    name: v.name,
    lifecycle: v.lifecycle as SavedJob['lifecycle'],
    runStart: v.runStart,
  };
}

/**
 * The saved entries, from the post step's state (`STATE_<key>` variables, prefix removed). Entries are found
 * by their keys, not by `job-count`, so a missing or garbled count loses nothing; at most MAX_SAVED_JOBS.
 */
export function decodeSavedJobs(state: Record<string, string | undefined>): {
  jobs: SavedJob[];
  warnings: string[];
} {
  const warnings: string[] = [];
  const indexes: number[] = [];
  for (const key of Object.keys(state)) {
    const match = /^job-(\d{1,9})$/.exec(key);
    if (match) indexes.push(Number(match[1]));
  }
  indexes.sort((a, b) => a - b);
  const count = state[JOB_COUNT_KEY];
  if (count !== undefined && count !== '' && !(/^\d{1,9}$/.test(count) && Number(count) === indexes.length)) {
    warnings.push(
      `Saved state: ${JOB_COUNT_KEY} is '${count.slice(0, 40)}' but ${indexes.length} job entr${indexes.length === 1 ? 'y was' : 'ies were'} saved; checking the saved entries.`,
    );
  }
  if (indexes.length > MAX_SAVED_JOBS) {
    warnings.push(
      `Saved state holds ${indexes.length} job entries; checking the first ${MAX_SAVED_JOBS} only.`,
    );
    indexes.length = MAX_SAVED_JOBS;
  }
  const jobs: SavedJob[] = [];
  for (const index of indexes) {
    const raw = state[jobStateKey(index)] ?? '';
    const parsed = parseSavedJob(raw);
    if ('error' in parsed)
      warnings.push(`Saved state: ${jobStateKey(index)} is unusable (${parsed.error}); skipped.`);
    else jobs.push(parsed);
  }
  return { jobs, warnings };
}

/** The post step's state from its environment: STATE_<key> variables. */
export function stateFromEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const state: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) if (key.startsWith('STATE_')) state[key.slice(6)] = value;
  return state;
}

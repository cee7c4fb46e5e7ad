// The run manifest kept under neo.yml's `history:` prefix, so a pull request can compare its artifact sizes with
// the base commit's. Pure: job states in, a manifest and its S3 keys out; untrusted JSON in, a checked manifest out.
import type { JobState } from '../types.ts';

export const MANIFEST_FORMAT = 'neo-compile-action/run-manifest';
export const MANIFEST_VERSION = 1;
/** A manifest is small (about 300 bytes a target); anything far larger is not ours. */
export const MANIFEST_MAX_BYTES = 5_000_000;

export interface ManifestTarget {
  target: string;
  'job-name': string;
  device: string;
  status: string;
  artifact: string | null;
  /** Artifact size in bytes (the sum under the output prefix for optimization jobs). */
  size: number | null;
  /** The artifact digest SageMaker reported, or the sha256 of the downloaded file. */
  digest: string | null;
  'compile-seconds': number | null;
}

export interface RunManifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  commit: string;
  ref: string;
  event: string;
  /** ISO 8601 time the run ended. */
  created: string;
  targets: ManifestTarget[];
}

export interface ManifestContext {
  sha: string;
  refName: string;
  eventName: string;
  now: number;
}

/** What a job contributes to the manifest; sizes are looked up after the jobs end. */
export interface SizedJob {
  job: JobState;
  size?: number;
  digest?: string;
}

export function buildRunManifest(jobs: readonly SizedJob[], ctx: ManifestContext): RunManifest {
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    commit: ctx.sha,
    ref: ctx.refName,
    event: ctx.eventName,
    created: new Date(ctx.now).toISOString(),
    targets: jobs.map(({ job, size, digest }) => ({
      target: job.target,
      'job-name': job.jobName,
      device: job.device,
      status: job.status,
      artifact: job.status === 'COMPLETED' ? (job.artifact ?? null) : null,
      size: size ?? null,
      digest: digest ?? null,
      'compile-seconds':
        job.createdAt !== undefined && job.endedAt !== undefined
          ? Math.round((job.endedAt - job.createdAt) / 100) / 10
          : null,
    })),
  };
}

/** `<prefix>commits/<sha>.json`; the prefix is the `history:` value and ends with `/`. */
export function commitManifestKey(prefix: string, sha: string): string {
  return `${prefix}commits/${encodeURIComponent(sha)}.json`;
}

/** `<prefix>refs/<ref-name>.json`: the latest run of a branch or tag (`/` in branch names kept as folders). */
export function refManifestKey(prefix: string, refName: string): string {
  return `${prefix}refs/${refName.split('/').map(encodeURIComponent).join('/')}.json`;
}

/** Events whose run becomes the latest of its ref: pushes (to a branch or a tag) and releases (a tag). */
export function recordsRefManifest(eventName: string): boolean {
  return eventName === 'push' || eventName === 'release';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const nullableString = (value: unknown) => value === null || typeof value === 'string';
const nullableCount = (value: unknown) =>
  value === null || (typeof value === 'number' && Number.isFinite(value) && value >= 0);

/**
 * Reads a manifest written by this action (any run, any version of it). Anyone with write access to the bucket can
 * put text there: everything is checked, and what does not fit is refused with a reason, never half-used.
 */
export function parseRunManifest(text: string): RunManifest | { error: string } {
  if (text.length > MANIFEST_MAX_BYTES) return { error: `larger than ${MANIFEST_MAX_BYTES} bytes` };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { error: 'not JSON' };
  }
  if (!isRecord(data) || data.format !== MANIFEST_FORMAT) return { error: `not a ${MANIFEST_FORMAT}` };
  if (data.version !== MANIFEST_VERSION) {
    return {
      error: `manifest version ${String(data.version)}; this action reads version ${MANIFEST_VERSION}`,
    };
  }
  for (const key of ['commit', 'ref', 'event', 'created'] as const) {
    if (typeof data[key] !== 'string') return { error: `'${key}' is not a string` };
  }
  if (!Array.isArray(data.targets)) return { error: "'targets' is not a list" };
  const targets: ManifestTarget[] = [];
  for (const [index, entry] of data.targets.entries()) {
    const ok =
      isRecord(entry) &&
      typeof entry.target === 'string' &&
      typeof entry['job-name'] === 'string' &&
      typeof entry.device === 'string' &&
      typeof entry.status === 'string' &&
      nullableString(entry.artifact) &&
      nullableCount(entry.size) &&
      nullableString(entry.digest) &&
      nullableCount(entry['compile-seconds']);
    if (!ok) return { error: `targets[${index}] does not have the manifest's fields` };
    targets.push({
      target: entry.target as string,
      'job-name': entry['job-name'] as string,
      device: entry.device as string,
      status: entry.status as string,
      artifact: entry.artifact as string | null,
      size: entry.size as number | null,
      digest: entry.digest as string | null,
      'compile-seconds': entry['compile-seconds'] as number | null,
    });
  }
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    commit: data.commit as string,
    ref: data.ref as string,
    event: data.event as string,
    created: data.created as string,
    targets,
  };
}

// After the jobs end: each completed artifact's size, the run manifest written under `history:`, and the baseline
// manifest a pull request compares with. Talks to S3 only through the ObjectStorage port; failures are warnings.
import pLimit from 'p-limit';
import type { CallOptions, ObjectStorage } from '../aws/s3.ts';
import { parseS3Uri } from '../s3-uri.ts';
import type { JobState } from '../types.ts';
import {
  commitManifestKey,
  MANIFEST_MAX_BYTES,
  parseRunManifest,
  type RunManifest,
  refManifestKey,
} from './history.ts';

/** Objects summed under an optimization job's output prefix before giving up (a model is a few dozen files). */
const MAX_PREFIX_OBJECTS = 10_000;

export type SizeResult = { size: number } | { error: string };

/**
 * Bytes of each COMPLETED target's artifact: HeadObject's Content-Length for a compilation artifact, the sum of
 * the objects under the output prefix for an optimization job. Keyed by target.
 */
export async function measureArtifactSizes(
  jobs: readonly JobState[],
  storage: ObjectStorage,
  parallelism = 8,
  call: CallOptions = {},
): Promise<Map<string, SizeResult>> {
  const limit = pLimit(parallelism);
  const sizes = new Map<string, SizeResult>();
  await Promise.all(
    jobs
      .filter((job) => job.status === 'COMPLETED' && job.artifact)
      .map((job) =>
        limit(async () => {
          sizes.set(job.target, await artifactSize(job, storage, call));
        }),
      ),
  );
  return sizes;
}

async function artifactSize(job: JobState, storage: ObjectStorage, call: CallOptions): Promise<SizeResult> {
  const location = parseS3Uri(job.artifact ?? '');
  if (!location) return { error: `${job.artifact} is not an S3 URI` };
  if (job.kind === 'optimization') {
    const prefix =
      location.key === '' || location.key.endsWith('/') ? location : { ...location, key: `${location.key}/` };
    const listed = await storage.listPrefix(prefix, MAX_PREFIX_OBJECTS, call);
    if (!listed.ok) return { error: listed.message };
    return { size: listed.objects.reduce((sum, object) => sum + (object.size ?? 0), 0) };
  }
  const head = await storage.head(location, call);
  if (!head.ok) return { error: head.message };
  if (head.head.size === undefined) return { error: `S3 gave no size for ${job.artifact}` };
  return { size: head.head.size };
}

/** Where a run's manifests go: always the commit's, and the ref's for pushes and releases. */
export function manifestUris(historyUri: string, sha: string, refName: string, recordRef: boolean): string[] {
  const location = parseS3Uri(historyUri);
  if (!location) return [];
  const base = `s3://${location.bucket}/`;
  const uris = [base + commitManifestKey(location.key, sha)];
  if (recordRef && refName !== '') uris.push(base + refManifestKey(location.key, refName));
  return uris;
}

/** Writes the manifest to each URI (one PutObject each: readers see the old or the new, never half). */
export async function writeRunManifest(
  storage: ObjectStorage,
  uris: readonly string[],
  manifest: RunManifest,
  call: CallOptions = {},
): Promise<string[]> {
  const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const warnings: string[] = [];
  for (const uri of uris) {
    const location = parseS3Uri(uri);
    if (!location) continue;
    try {
      await storage.upload(location, body, 'application/json', call);
    } catch (error) {
      warnings.push(
        `Could not write the run manifest ${uri}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return warnings;
}

export type BaselineLookup =
  | {
      found: true;
      manifest: RunManifest;
      uri: string /** what it is: the base commit or the base branch's latest */;
      kind: 'commit' | 'ref';
    }
  | { found: false; notes: string[] };

/**
 * The manifest a pull request compares with: its base commit's, else the base branch's latest. Missing history is
 * a quiet note; a manifest that is there but unreadable or not ours is a note too, never used.
 */
export async function readBaselineManifest(
  storage: ObjectStorage,
  historyUri: string,
  base: { sha?: string; ref?: string },
  call: CallOptions = {},
): Promise<BaselineLookup> {
  const location = parseS3Uri(historyUri);
  const notes: string[] = [];
  if (!location) return { found: false, notes: [`history ${historyUri} is not an S3 URI`] };
  const candidates: { key: string; kind: 'commit' | 'ref' }[] = [];
  if (base.sha) candidates.push({ key: commitManifestKey(location.key, base.sha), kind: 'commit' });
  if (base.ref) candidates.push({ key: refManifestKey(location.key, base.ref), kind: 'ref' });
  if (candidates.length === 0) return { found: false, notes: ['the event names no base commit or branch'] };
  for (const candidate of candidates) {
    const uri = `s3://${location.bucket}/${candidate.key}`;
    const object = { bucket: location.bucket, key: candidate.key };
    const head = await storage.head(object, call);
    if (!head.ok) {
      notes.push(head.reason === 'error' ? head.message : `no manifest at ${uri}`);
      continue;
    }
    const size = head.head.size ?? 0;
    if (size === 0 || size > MANIFEST_MAX_BYTES) {
      notes.push(`${uri} is ${size} bytes, not a manifest`);
      continue;
    }
    let text: string;
    try {
      text = (await storage.readRange(object, 0, size - 1, call)).toString('utf8');
    } catch (error) {
      notes.push(`could not read ${uri}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const manifest = parseRunManifest(text);
    if ('error' in manifest) {
      notes.push(`${uri} is not usable: ${manifest.error}`);
      continue;
    }
    return { found: true, manifest, uri, kind: candidate.kind };
  }
  return { found: false, notes };
}

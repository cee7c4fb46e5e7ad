// Streams each completed artifact into the workspace as <dir>/<target>.tar.gz, so a later step
// (actions/upload-artifact, a release) can use the files. Downloads start as soon as a job completes.
// Each one goes to a new temp file in the folder (never through a symlink), is verified against what S3 and
// SageMaker state (Content-Length, the MD5 ETag of a single-part object, S3's checksum, the job's
// ArtifactDigest), and only then renamed over the final path. A failed download leaves no file behind.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, lstat, mkdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import pLimit from 'p-limit';
import { type DownloadedObject, type ObjectStorage, TransferError } from '../aws/s3.ts';
import { parseS3Uri } from '../s3-uri.ts';
import type { JobState } from '../types.ts';

export interface DownloadedArtifact {
  /** Workspace-relative path of the file. */
  path: string;
  sha256: string;
  size: number;
}

/** One target's download: its file, why it failed (the file is then absent), or why it was not attempted. */
export type DownloadResult = { file: DownloadedArtifact } | { error: string } | { skipped: string };

/** What the downloader needs of a job; `artifactDigest` is DescribeCompilationJob's ModelDigests.ArtifactDigest. */
export type DownloadableJob = Pick<JobState, 'target' | 'kind' | 'status' | 'artifact'> & {
  artifactDigest?: string;
};

/** Downloads at once: enough to overlap transfers, few enough for a runner's disk and bandwidth. */
const MAX_PARALLEL_DOWNLOADS = 4;

const isInside = (root: string, candidate: string) =>
  candidate === root || candidate.startsWith(root + path.sep);

/**
 * Checks the `download` input before any job: a folder inside the workspace (also once symlinks are resolved),
 * not an existing file, created when missing, writable. Returns its real path, or a message saying the fix.
 */
export async function prepareDownloadDir(
  workspace: string,
  dir: string,
): Promise<{ dir: string } | { error: string }> {
  const lexical = resolveDownloadDir(workspace, dir);
  if ('error' in lexical) return lexical;
  const root = await realpath(workspace);
  const wanted = path.join(root, path.relative(workspace, lexical.dir));
  // The deepest part of the path that exists decides where the rest would be created.
  let existing = wanted;
  while (!(await lstat(existing).catch(() => undefined))) existing = path.dirname(existing);
  const realExisting = await realpath(existing).catch(() => undefined);
  if (realExisting === undefined || !isInside(root, realExisting)) {
    const through = path.relative(root, existing) || '.';
    return {
      error: `Input 'download' is '${dir}', but '${through}' is a symlink that leads outside the workspace; name a folder inside the workspace (e.g. download: compiled).`,
    };
  }
  const info = await stat(realExisting);
  if (!info.isDirectory()) {
    const what =
      existing === wanted ? `'${dir}' is an existing file` : `'${path.relative(root, existing)}' is a file`;
    return {
      error: `Input 'download' is '${dir}', but ${what}, not a folder; name a folder for the artifacts (it is created when missing), e.g. download: compiled.`,
    };
  }
  try {
    await mkdir(wanted, { recursive: true });
    const real = await realpath(wanted);
    if (!isInside(root, real)) throw new Error('it leads outside the workspace');
    await access(real, constants.W_OK);
    return { dir: real };
  } catch (error) {
    return {
      error: `Input 'download' is '${dir}', but that folder cannot be written (${fileErrorText(error)}); name a folder the runner can write in the workspace.`,
    };
  }
}

/** The workspace-relative download directory, or an error message when it leaves the workspace (lexically). */
export function resolveDownloadDir(workspace: string, dir: string): { dir: string } | { error: string } {
  if (path.isAbsolute(dir) || dir.startsWith('~')) {
    return { error: `Input 'download' must be a directory relative to the workspace, got '${dir}'.` };
  }
  const resolved = path.resolve(workspace, dir);
  if (!isInside(workspace, resolved)) {
    return { error: `Input 'download' must stay inside the workspace, got '${dir}'.` };
  }
  return { dir: resolved };
}

/**
 * A sha256 ArtifactDigest, only when it names its algorithm (`sha256:<hex>`). AWS documents the digest as a BLAKE2
 * hash of "the compiled model artifacts" without saying over which bytes, so a bare hex value is not comparable with
 * the archive's bytes: treating it as one would fail every correct download.
 */
export function sha256OfDigest(digest: string | undefined): string | undefined {
  const match = /^sha-?256:([0-9a-f]{64})$/i.exec(digest?.trim() ?? '');
  return match?.[1]?.toLowerCase();
}

/**
 * Compares the bytes received with what S3 and SageMaker stated; undefined when they agree, else what differs.
 * The ETag is an MD5 of the bytes only for a single-part object without KMS encryption (S3's rule).
 */
export function verifyDownload(received: DownloadedObject, artifactDigest?: string): string | undefined {
  if (received.contentLength !== undefined && received.size !== received.contentLength) {
    return `received ${received.size} of the ${received.contentLength} bytes S3 announced`;
  }
  const etag = received.etag?.replace(/^"|"$/g, '').toLowerCase();
  const kms = received.serverSideEncryption?.startsWith('aws:kms') === true;
  if (etag && /^[0-9a-f]{32}$/.test(etag) && !kms && etag !== received.md5) {
    return `the bytes' MD5 ${received.md5} does not match the object's ETag ${etag}`;
  }
  const expected = sha256OfDigest(artifactDigest);
  if (expected && expected !== received.sha256) {
    return `the bytes' sha256 ${received.sha256} does not match the ArtifactDigest ${expected} SageMaker reported`;
  }
  return undefined;
}

/** A download failure in words: the disk, the connection, a checksum, or S3's own answer. */
export function describeDownloadFailure(error: unknown): string {
  if (error instanceof TransferError) {
    const cause = error.message;
    const header = /response header "([^"]+)"/.exec(cause)?.[1];
    if (/checksum mismatch/i.test(cause)) {
      return `the bytes received do not match the object's S3 checksum${header ? ` (${header})` : ''}`;
    }
    if ((error.cause as Error | undefined)?.name === 'AbortError') return 'cancelled';
    if (error.expected !== undefined && error.received < error.expected) {
      return `the transfer broke off after ${error.received} of ${error.expected} bytes (${cause})`;
    }
    return `the transfer failed: ${cause}`;
  }
  const named = error as { name?: string; code?: string; message?: string };
  if (named.name === 'AbortError') return 'cancelled';
  if (named.code !== undefined) return fileErrorText(error);
  return `${named.name && named.name !== 'Error' ? `${named.name}: ` : ''}${named.message ?? String(error)}`;
}

function fileErrorText(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  switch (code) {
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is used up (EDQUOT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    case 'EISDIR':
      return 'a folder is in the way (EISDIR)';
    case 'ENOTDIR':
      return 'a file is in the way of the folder (ENOTDIR)';
    default:
      return message;
  }
}

export interface DownloaderOptions {
  /** The run's signal: a cancel aborts the transfers in flight (their temp files are removed). */
  signal?: AbortSignal;
}

/** `dir`: the real folder from prepareDownloadDir. */
export function createArtifactDownloader(
  storage: ObjectStorage,
  workspace: string,
  dir: string,
  options: DownloaderOptions = {},
) {
  const pending = new Map<string, Promise<DownloadResult>>();
  const limit = pLimit(MAX_PARALLEL_DOWNLOADS);
  return {
    /** Starts downloading a COMPLETED job's artifact (once per target). */
    start(job: DownloadableJob): void {
      if (job.status !== 'COMPLETED' || !job.artifact || pending.has(job.target)) return;
      if (job.kind !== 'compilation') {
        pending.set(
          job.target,
          Promise.resolve({
            skipped: `an optimization job writes a folder of files, not one archive: its output stays in S3 at ${job.artifact}`,
          }),
        );
        return;
      }
      const { target, artifact, artifactDigest } = job;
      pending.set(
        target,
        limit(() => download(target, artifact, artifactDigest)),
      );
    },
    /** Waits for every download; target -> file, error or reason it was skipped. */
    async finish(): Promise<Map<string, DownloadResult>> {
      const results = new Map<string, DownloadResult>();
      for (const [target, promise] of pending) results.set(target, await promise);
      return results;
    },
  };

  async function download(target: string, uri: string, artifactDigest?: string): Promise<DownloadResult> {
    const location = parseS3Uri(uri);
    if (!location) return { error: `cannot download ${uri}: not an S3 URI` };
    if (options.signal?.aborted) return { error: `${uri} was not downloaded: cancelled` };
    let real: string;
    let root: string;
    try {
      // Checked before any job; again here, in case the folder was swapped for a symlink since.
      [real, root] = await Promise.all([realpath(dir), realpath(workspace)]);
    } catch (error) {
      return { error: `could not download ${uri}: ${describeDownloadFailure(error)}` };
    }
    if (!isInside(root, real))
      return { error: `could not download ${uri}: the download folder leaves the workspace` };
    const file = path.join(real, `${target}.tar.gz`);
    // A new file beside the final one: created exclusively (no symlink followed), renamed over it when verified.
    const temp = path.join(real, `.${target}.tar.gz.${randomBytes(6).toString('hex')}.part`);
    try {
      const received = await storage.download(location, temp, { signal: options.signal });
      const mismatch = verifyDownload(received, artifactDigest);
      if (mismatch) {
        await removeQuietly(temp, file);
        return { error: `downloaded ${uri} but ${mismatch}; the file was removed` };
      }
      await rename(temp, file);
      return { file: { path: path.relative(root, file), sha256: received.sha256, size: received.size } };
    } catch (error) {
      await removeQuietly(temp, file);
      return { error: `could not download ${uri}: ${describeDownloadFailure(error)}` };
    }
  }
}

/**
 * Removes the temp file, and a file (or symlink: the link itself) left at the final path by an earlier run,
 * so that no stale file passes for this run's artifact.
 */
async function removeQuietly(temp: string, file: string): Promise<void> {
  await unlink(temp).catch(() => undefined);
  const existing = await lstat(file).catch(() => undefined);
  if (existing && !existing.isDirectory()) await unlink(file).catch(() => undefined);
}

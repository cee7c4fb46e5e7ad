// Streams each completed artifact into the workspace as <dir>/<target>.tar.gz, verifying its size, so a later
// step (actions/upload-artifact, a release) can use the files. Downloads start as soon as a job completes.
import { mkdir, realpath } from 'node:fs/promises';
import * as path from 'node:path';
import type { ObjectStorage } from '../aws/s3.ts';
import { parseS3Uri } from '../s3-uri.ts';
import type { JobState } from '../types.ts';

export interface DownloadedArtifact {
  /** Workspace-relative path of the file. */
  path: string;
  sha256: string;
  size: number;
}

/** The workspace-relative download directory, or an error message when it leaves the workspace. */
export function resolveDownloadDir(workspace: string, dir: string): { dir: string } | { error: string } {
  if (path.isAbsolute(dir) || dir.startsWith('~')) {
    return { error: `Input 'download' must be a directory relative to the workspace, got '${dir}'.` };
  }
  const resolved = path.resolve(workspace, dir);
  if (resolved !== workspace && !resolved.startsWith(workspace + path.sep)) {
    return { error: `Input 'download' must stay inside the workspace, got '${dir}'.` };
  }
  return { dir: resolved };
}

export function createArtifactDownloader(storage: ObjectStorage, workspace: string, dir: string) {
  const pending = new Map<string, Promise<DownloadedArtifact | { error: string }>>();
  return {
    /** Starts downloading a COMPLETED job's artifact (once per target). */
    start(job: JobState): void {
      if (job.status !== 'COMPLETED' || !job.artifact || pending.has(job.target)) return;
      // An optimization job's output is a prefix of many files, not one archive: it stays in S3.
      if (job.kind !== 'compilation') return;
      pending.set(job.target, download(job.target, job.artifact));
    },
    /** Waits for every download; target -> file or error. */
    async finish(): Promise<Map<string, DownloadedArtifact | { error: string }>> {
      const results = new Map<string, DownloadedArtifact | { error: string }>();
      for (const [target, promise] of pending) results.set(target, await promise);
      return results;
    },
  };

  async function download(target: string, uri: string): Promise<DownloadedArtifact | { error: string }> {
    const location = parseS3Uri(uri);
    if (!location) return { error: `cannot download ${uri}: not an S3 URI` };
    try {
      await mkdir(dir, { recursive: true });
      // A symlinked download dir must not write outside the workspace either.
      const real = await realpath(dir);
      const root = await realpath(workspace);
      if (real !== root && !real.startsWith(root + path.sep))
        return { error: `download directory leaves the workspace` };
      const file = path.join(real, `${target}.tar.gz`);
      const { size, sha256, expectedSize } = await storage.download(location, file);
      if (expectedSize !== undefined && size !== expectedSize) {
        return { error: `downloaded ${size} bytes of ${uri} but S3 reported ${expectedSize}` };
      }
      return { path: path.relative(root, file), sha256, size };
    } catch (error) {
      return { error: `could not download ${uri}: ${(error as Error).message}` };
    }
  }
}

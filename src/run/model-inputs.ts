// Prepares the model inputs before any job exists: uploads models that live in the workspace (packed into a
// deterministic .tar.gz when a directory; read once, uploaded once per distinct upload-to, e.g. one bucket per
// region), and checks each distinct S3 input once with HeadObject plus a 2-byte read of its gzip magic. A missing, unreadable or non-gzip input is a located config error.
// The result's identities (sha256 / VersionId / ETag) enter the content-addressed job names.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readdir, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { create as createTar } from 'tar';
import type { ObjectStorage } from '../aws/s3.ts';
import { localModelKey } from '../plan/plan.ts';
import { parseS3Uri, type S3Location } from '../s3-uri.ts';
import type { ConfigError, SourcePosition } from '../types.ts';

/** A distinct model input of the config, with every place it is used (see modelInputs in src/config). */
export type ModelInputRef =
  | { kind: 's3'; s3Uri: string; positions: SourcePosition[]; targets: string[] }
  | { kind: 'path'; path: string; uploadTo: string; positions: SourcePosition[]; targets: string[] };

type LocalInputRef = Extract<ModelInputRef, { kind: 'path' }>;

/** One path used with several upload-to values, as one input: every position and target of them all. */
function mergeRefs(refs: LocalInputRef[]): LocalInputRef {
  const [first, ...rest] = refs as [LocalInputRef, ...LocalInputRef[]];
  if (rest.length === 0) return first;
  const positions = [...first.positions];
  for (const position of rest.flatMap((ref) => ref.positions)) {
    if (!positions.some((seen) => seen.line === position.line && seen.col === position.col))
      positions.push(position);
  }
  positions.sort((a, b) => a.line - b.line || a.col - b.col);
  return { ...first, positions, targets: [...new Set(refs.flatMap((ref) => ref.targets))] };
}

export interface PreparedInputs {
  /** Local model (localModelKey of its path and upload-to) -> the S3 URI it was uploaded to. */
  inputUris: Record<string, string>;
  /** S3 URI -> identity of its bytes (sha256 of a local input, else VersionId or ETag). */
  identity: Record<string, string>;
  errors: ConfigError[];
  /** What happened to each local input, for the log. */
  uploads: { path: string; uri: string; size: number; skipped: boolean }[];
}

export interface PrepareOptions {
  workspace: string;
  configFile: string;
  /** Dry run: no AWS call; local inputs are hashed to show where they would go. */
  offline: boolean;
  /** The run's signal: a cancel aborts uploads in flight (a multipart upload is aborted in S3 too). */
  signal?: AbortSignal;
  /**
   * Called once per local model with its packed archive (a file that exists only during the call) and its
   * identity, before any upload and in a dry run too: the model preflight reads it there.
   */
  onLocalArchive?: (input: ModelInputRef, identity: string, archivePath: string) => Promise<void>;
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** A symlink in a model directory that leads outside the workspace. */
export class PathEscapeError extends Error {
  override name = 'PathEscapeError';
}

/**
 * Packs `dir` into a .tar.gz whose bytes depend only on the files' names, contents and modes. Symlinks are
 * followed (DVC, git-annex and Hugging Face caches keep weights behind them) if they stay inside `root`.
 */
export async function packDirectory(dir: string, archive: string, root: string = dir): Promise<void> {
  const realRoot = await realpath(root);
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(dir, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await realpath(path.join(dir, child));
        if (target !== realRoot && !target.startsWith(realRoot + path.sep)) {
          throw new PathEscapeError(`'${child}' is a symlink that leads outside the workspace`);
        }
        const info = await stat(target);
        isDirectory = info.isDirectory();
        isFile = info.isFile();
      }
      if (isDirectory) await walk(child);
      else if (isFile) files.push(child);
    }
  };
  await walk('');
  files.sort();
  // portable: no uid/gid/user names/atime/ctime; mtime fixed; sorted entries; follow: symlinks stored as files.
  await createTar(
    {
      gzip: true,
      portable: true,
      mtime: new Date(0),
      cwd: dir,
      file: archive,
      noDirRecurse: true,
      follow: true,
    },
    files,
  );
}

async function sha256OfFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Where a local model goes: `<upload-to>/<sha256>/<name>.tar.gz`, so equal bytes share one object. */
export function contentAddressedUri(uploadTo: string, localPath: string, sha256: string): string {
  const base = path.basename(localPath.replace(/\/+$/, '')).replace(/\.tar\.gz$/, '') || 'model';
  return `${uploadTo.replace(/\/*$/, '/')}${sha256}/${base}.tar.gz`;
}

export async function prepareModelInputs(
  inputs: ModelInputRef[],
  storage: ObjectStorage | undefined,
  options: PrepareOptions,
): Promise<PreparedInputs> {
  const result: PreparedInputs = { inputUris: {}, identity: {}, errors: [], uploads: [] };
  const call = { signal: options.signal };
  const fail = (input: ModelInputRef, title: string, message: string) => {
    const at = input.positions[0] ?? { line: 1, col: 1 };
    const used =
      input.targets.length > 0
        ? ` (used by ${input.targets.slice(0, 5).join(', ')}${input.targets.length > 5 ? ', …' : ''})`
        : '';
    result.errors.push({
      file: options.configFile,
      line: at.line,
      col: at.col,
      title,
      message: `${message}${used}`,
    });
  };
  // One path may be uploaded to several places (one bucket per region): it is read, packed and hashed once.
  const localByPath = new Map<string, LocalInputRef[]>();
  for (const input of inputs) {
    if (input.kind === 'path') localByPath.set(input.path, [...(localByPath.get(input.path) ?? []), input]);
  }
  const guarded = async (input: ModelInputRef, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      // A file the runner user cannot read (written as root by a container step), a full disk, ...
      const where = input.kind === 'path' ? `'${input.path}'` : input.s3Uri;
      const fix =
        error instanceof PathEscapeError
          ? 'keep every file of the model inside the workspace'
          : 'check that the runner can read it (a container step may have written it as root)';
      fail(
        input,
        error instanceof PathEscapeError ? 'Model path outside the workspace' : 'Model not readable',
        `${where}: ${(error as Error).message}; ${fix}`,
      );
    }
  };

  await Promise.all([
    ...inputs
      .filter((input) => input.kind === 's3')
      .map((input) => guarded(input, () => checkRemote(input, input.s3Uri))),
    ...[...localByPath.values()].map((refs) => {
      const merged = mergeRefs(refs);
      return guarded(merged, () => prepareLocal(merged, refs));
    }),
  ]);
  result.errors.sort((a, b) => a.line - b.line || a.col - b.col);
  return result;

  /** Packs (or checks) the path once, then puts its bytes under each distinct upload-to. */
  async function prepareLocal(input: LocalInputRef, destinations: LocalInputRef[]): Promise<void> {
    const workspace = await realpath(options.workspace);
    let resolved: string;
    try {
      resolved = await realpath(path.resolve(workspace, input.path));
    } catch {
      return fail(
        input,
        'Model path not found',
        `'${input.path}' does not exist in the workspace; check the path, or produce the model in an earlier step`,
      );
    }
    if (resolved !== workspace && !resolved.startsWith(workspace + path.sep)) {
      return fail(
        input,
        'Model path outside the workspace',
        `'${input.path}' leads outside the workspace (through a symlink); point path at a file or directory inside the repository`,
      );
    }
    const info = await stat(resolved);
    let archive = resolved;
    let packedIn: string | undefined;
    if (info.isDirectory()) {
      packedIn = await mkdtemp(path.join(tmpdir(), 'neo-pack-'));
      archive = path.join(packedIn, 'model.tar.gz');
      await packDirectory(resolved, archive, workspace);
    } else {
      const head = Buffer.alloc(2);
      const handle = await open(resolved, 'r');
      await handle.read(head, 0, 2, 0);
      await handle.close();
      if (!head.equals(GZIP_MAGIC)) {
        return fail(
          input,
          'Model is not a .tar.gz',
          `'${input.path}' is not gzip-compressed; Neo needs a single .tar.gz: pack it with 'tar -czf model.tar.gz <files>', or point path at the directory to pack`,
        );
      }
    }
    try {
      const { sha256, size } = await sha256OfFile(archive);
      await options.onLocalArchive?.(input, `sha256:${sha256}`, archive);
      await Promise.all(
        destinations.map((destination) =>
          guarded(destination, () => uploadOnce(destination, archive, sha256, size)),
        ),
      );
    } finally {
      if (packedIn) await rm(packedIn, { recursive: true, force: true });
    }
  }

  /** Content-addressed: skipped when the object is already there (an earlier run, or another workflow). */
  async function uploadOnce(
    input: LocalInputRef,
    archive: string,
    sha256: string,
    size: number,
  ): Promise<void> {
    const uri = contentAddressedUri(input.uploadTo, input.path, sha256);
    result.inputUris[localModelKey(input.path, input.uploadTo)] = uri;
    result.identity[uri] = `sha256:${sha256}`;
    if (options.offline || !storage) return;
    const location = parseS3Uri(uri);
    if (!location)
      return fail(
        input,
        'Invalid upload-to',
        `upload-to '${input.uploadTo}' is not an s3://bucket/prefix/ URI`,
      );
    const existing = await storage.head(location, call);
    if (existing.ok) {
      result.uploads.push({ path: input.path, uri, size, skipped: true });
      return;
    }
    try {
      await storage.upload(location, createReadStream(archive), 'application/gzip', call);
      result.uploads.push({ path: input.path, uri, size, skipped: false });
    } catch (error) {
      if (options.signal?.aborted) {
        return fail(input, 'Upload cancelled', `the upload of '${input.path}' to ${uri} was aborted`);
      }
      const missingBucket = (error as { name?: string }).name === 'NoSuchBucket';
      fail(
        input,
        'Upload failed',
        missingBucket
          ? `could not upload '${input.path}' to ${uri}: the bucket ${location.bucket} does not exist; create it (in the region of the targets that use it), or fix upload-to`
          : `could not upload '${input.path}' to ${uri}: ${(error as Error).message}; the workflow's role needs s3:PutObject there`,
      );
    }
  }

  async function checkRemote(input: ModelInputRef, uri: string): Promise<void> {
    if (options.offline || !storage) return;
    const location = parseS3Uri(uri);
    if (!location) return; // the config stage already reported a malformed URI
    if (uri.endsWith('/')) return checkPrefix(input, uri, location);
    // Both at once (the first requests of the run): a missing object fails the 2-byte read too, harmlessly.
    const [head, magic] = await Promise.all([
      storage.head(location, call),
      storage.readRange(location, 0, 1, call).catch(() => undefined),
    ]);
    if (!head.ok) {
      const fix =
        head.reason === 'missing'
          ? 'upload the model there first, or fix s3-uri'
          : head.reason === 'forbidden'
            ? "grant the workflow's role s3:GetObject (and s3:ListBucket) on it"
            : 'check the URI and the bucket';
      return fail(
        input,
        head.reason === 'missing' ? 'Model not found in S3' : 'Model not readable',
        `${head.message}; ${fix}`,
      );
    }
    if (magic && !magic.subarray(0, 2).equals(GZIP_MAGIC)) {
      return fail(
        input,
        'Model is not a .tar.gz',
        `${uri} is not gzip-compressed; Neo needs a single .tar.gz archive of the model`,
      );
    }
    // S3 gives the version id "null" to objects written while versioning was off or suspended: not an identity.
    const versionId = head.head.versionId === 'null' ? undefined : head.head.versionId;
    result.identity[uri] = versionId ? `version:${versionId}` : `etag:${head.head.etag ?? ''}`;
  }

  /** An uncompressed model under a prefix (optimization jobs): it must hold objects; they are its identity. */
  async function checkPrefix(input: ModelInputRef, uri: string, location: S3Location): Promise<void> {
    const listed = await (storage as ObjectStorage).listPrefix(location, MAX_PREFIX_OBJECTS, call);
    if (!listed.ok) {
      return fail(
        input,
        'Model not readable',
        `${listed.message}; grant the workflow's role s3:ListBucket on it`,
      );
    }
    if (listed.objects.length === 0) {
      return fail(
        input,
        'Model not found in S3',
        `${uri} holds no objects; upload the model files there first, or fix s3-uri`,
      );
    }
    const digest = createHash('sha256');
    for (const object of listed.objects)
      digest.update(`${object.key}\0${object.etag ?? ''}\0${object.size ?? ''}\n`);
    result.identity[uri] = `prefix:${digest.digest('hex')}`;
  }
}

/** Enough for a sharded LLM; a larger prefix is identified by its first objects. */
const MAX_PREFIX_OBJECTS = 10_000;

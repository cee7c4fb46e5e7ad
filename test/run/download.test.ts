// The download stage: checks of the folder before any job, verification of the bytes, and what is left on disk
// when a download fails (nothing), with the real S3 adapter against the in-process emulator.
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/index.ts';
import { createObjectStorage, type DownloadedObject, TransferError } from '../../src/aws/s3.ts';
import {
  createArtifactDownloader,
  type DownloadableJob,
  describeDownloadFailure,
  prepareDownloadDir,
  sha256OfDigest,
  verifyDownload,
} from '../../src/run/download.ts';

const hex = (algorithm: string, bytes: Buffer) => createHash(algorithm).update(bytes).digest('hex');

describe('verifyDownload', () => {
  const bytes = Buffer.from('compiled model');
  const received: DownloadedObject = {
    size: bytes.length,
    sha256: hex('sha256', bytes),
    md5: hex('md5', bytes),
    contentLength: bytes.length,
    etag: `"${hex('md5', bytes)}"`,
    serverSideEncryption: 'AES256',
  };

  it('accepts bytes that agree with every statement', () => {
    expect(verifyDownload(received, `sha256:${hex('sha256', bytes)}`)).toBeUndefined();
    expect(verifyDownload(received, `sha256:${hex('sha256', bytes).toUpperCase()}`)).toBeUndefined();
  });

  it('reports fewer bytes than S3 announced', () => {
    expect(verifyDownload({ ...received, size: 3 })).toBe(
      `received 3 of the ${bytes.length} bytes S3 announced`,
    );
  });

  it("compares a single-part object's ETag with the bytes' MD5", () => {
    const other = hex('md5', Buffer.from('other'));
    expect(verifyDownload({ ...received, etag: `"${other}"` })).toMatch(
      new RegExp(`MD5 ${received.md5} does not match the object's ETag ${other}`),
    );
  });

  it('leaves multipart and KMS-encrypted ETags alone (they are not an MD5 of the bytes)', () => {
    const other = hex('md5', Buffer.from('other'));
    expect(verifyDownload({ ...received, etag: `"${other}-3"` })).toBeUndefined();
    expect(
      verifyDownload({ ...received, etag: `"${other}"`, serverSideEncryption: 'aws:kms' }),
    ).toBeUndefined();
    expect(
      verifyDownload({ ...received, etag: `"${other}"`, serverSideEncryption: 'aws:kms:dsse' }),
    ).toBeUndefined();
  });

  it('compares a sha256 ArtifactDigest, and ignores one whose algorithm it cannot tell', () => {
    const wrong = hex('sha256', Buffer.from('another artifact'));
    expect(verifyDownload(received, `sha256:${wrong}`)).toBe(
      `the bytes' sha256 ${received.sha256} does not match the ArtifactDigest ${wrong} SageMaker reported`,
    );
    expect(verifyDownload(received, hex('md5', Buffer.from('x')))).toBeUndefined();
    expect(verifyDownload(received, 'opaque-digest-v2')).toBeUndefined();
    // Bare hex: AWS documents a BLAKE2 hash of unspecified bytes, so it is never held against the download.
    expect(verifyDownload(received, wrong)).toBeUndefined();
  });

  it('reads sha256 digests only when they name the algorithm', () => {
    const digest = hex('sha256', bytes);
    expect(sha256OfDigest(digest)).toBeUndefined();
    expect(sha256OfDigest(`sha256:${digest}`)).toBe(digest);
    expect(sha256OfDigest(`SHA-256:${digest.toUpperCase()}`)).toBe(digest);
    expect(sha256OfDigest(`sha256:${digest.slice(1)}`)).toBeUndefined();
    expect(sha256OfDigest(undefined)).toBeUndefined();
  });
});

describe('describeDownloadFailure', () => {
  it('names a full disk, a cut transfer, a checksum mismatch and a cancel', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      syscall: 'write',
    });
    expect(describeDownloadFailure(enospc)).toBe('the disk is full (ENOSPC)');
    expect(describeDownloadFailure(new TransferError('aborted', 1024, 4096, new Error('aborted')))).toBe(
      'the transfer broke off after 1024 of 4096 bytes (aborted)',
    );
    const mismatch =
      'Checksum mismatch: expected "abc" but received "def" in response header "x-amz-checksum-crc64nvme".';
    expect(describeDownloadFailure(new TransferError(mismatch, 10, 10, new Error(mismatch)))).toBe(
      "the bytes received do not match the object's S3 checksum (x-amz-checksum-crc64nvme)",
    );
    const abort = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    expect(describeDownloadFailure(abort)).toBe('cancelled');
    expect(describeDownloadFailure(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }))).toBe(
      'AccessDenied: Access Denied',
    );
  });
});

describe('prepareDownloadDir', () => {
  let workspace: string;
  beforeEach(() => {
    workspace = mkdtempSync(path.join(tmpdir(), 'dl-ws-'));
  });

  it('creates a missing folder and gives its real path', async () => {
    expect(await prepareDownloadDir(workspace, 'out/compiled')).toEqual({
      dir: path.join(realWorkspace(workspace), 'out/compiled'),
    });
    expect(lstatSync(path.join(workspace, 'out/compiled')).isDirectory()).toBe(true);
  });

  it('refuses an existing regular file, and a folder under a file', async () => {
    writeFileSync(path.join(workspace, 'compiled'), 'not a folder');
    expect(await prepareDownloadDir(workspace, 'compiled')).toEqual({
      error:
        "Input 'download' is 'compiled', but 'compiled' is an existing file, not a folder; name a folder for the artifacts (it is created when missing), e.g. download: compiled.",
    });
    expect(await prepareDownloadDir(workspace, 'compiled/inner')).toMatchObject({
      error: expect.stringContaining("'compiled' is a file, not a folder"),
    });
  });

  it('refuses a folder that is, or goes through, a symlink outside the workspace', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'dl-outside-'));
    symlinkSync(outside, path.join(workspace, 'compiled'));
    for (const dir of ['compiled', 'compiled/deeper']) {
      expect(await prepareDownloadDir(workspace, dir)).toEqual({
        error: `Input 'download' is '${dir}', but 'compiled' is a symlink that leads outside the workspace; name a folder inside the workspace (e.g. download: compiled).`,
      });
    }
    expect(readdirSync(outside)).toEqual([]);
  });

  it('accepts a symlink to a folder inside the workspace', async () => {
    mkdirSync(path.join(workspace, 'build'));
    symlinkSync(path.join(workspace, 'build'), path.join(workspace, 'compiled'));
    expect(await prepareDownloadDir(workspace, 'compiled')).toEqual({
      dir: path.join(realWorkspace(workspace), 'build'),
    });
  });

  it('refuses paths that leave the workspace as written', async () => {
    expect(await prepareDownloadDir(workspace, '../out')).toMatchObject({
      error: expect.stringContaining('must stay inside the workspace'),
    });
    expect(await prepareDownloadDir(workspace, '/tmp/out')).toMatchObject({
      error: expect.stringContaining('relative to the workspace'),
    });
  });
});

const realWorkspace = (dir: string) => realpathSync(dir);

describe('createArtifactDownloader with the S3 adapter', () => {
  let emulator: Emulator;
  const saved = { ...process.env };
  const artifact = Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(300_000, 7)]);
  const job = (target: string, extra: Partial<DownloadableJob> = {}): DownloadableJob => ({
    target,
    kind: 'compilation',
    status: 'COMPLETED',
    artifact: `s3://artifacts/out/${target}.tar.gz`,
    ...extra,
  });

  beforeAll(async () => {
    emulator = await startEmulator();
    Object.assign(process.env, emulator.env);
  });
  afterAll(async () => {
    process.env = saved;
    await emulator.close();
  });

  let workspace: string;
  let dir: string;
  beforeEach(() => {
    workspace = mkdtempSync(path.join(tmpdir(), 'dl-ws-'));
    dir = path.join(workspace, 'compiled');
    mkdirSync(dir);
    for (const target of ['t0', 't1', 't2'])
      emulator.s3.store.putObject('artifacts', `out/${target}.tar.gz`, artifact);
  });

  it('replaces a symlink at the destination instead of writing through it', async () => {
    const outside = path.join(mkdtempSync(path.join(tmpdir(), 'dl-outside-')), 'victim');
    writeFileSync(outside, 'precious');
    symlinkSync(outside, path.join(dir, 't0.tar.gz'));
    const downloader = createArtifactDownloader(createObjectStorage('us-west-2'), workspace, dir);
    downloader.start(job('t0', { artifactDigest: `sha256:${hex('sha256', artifact)}` }));
    const results = await downloader.finish();
    expect(results.get('t0')).toEqual({
      file: { path: 'compiled/t0.tar.gz', sha256: hex('sha256', artifact), size: artifact.length },
    });
    expect(readFileSync(outside, 'utf8')).toBe('precious');
    expect(lstatSync(path.join(dir, 't0.tar.gz')).isSymbolicLink()).toBe(false);
    expect(readFileSync(path.join(dir, 't0.tar.gz')).equals(artifact)).toBe(true);
    expect(readdirSync(dir)).toEqual(['t0.tar.gz']);
  });

  it('fails a target whose bytes differ from the ArtifactDigest, leaving no file (not even an older one)', async () => {
    writeFileSync(path.join(dir, 't1.tar.gz'), 'artifact of an earlier run');
    const downloader = createArtifactDownloader(createObjectStorage('us-west-2'), workspace, dir);
    downloader.start(job('t1', { artifactDigest: `sha256:${hex('sha256', Buffer.from('something else'))}` }));
    const result = (await downloader.finish()).get('t1');
    expect(result).toEqual({
      error: expect.stringMatching(
        /^downloaded s3:\/\/artifacts\/out\/t1\.tar\.gz but the bytes' sha256 [0-9a-f]{64} does not match the ArtifactDigest [0-9a-f]{64} SageMaker reported; the file was removed$/,
      ),
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a corrupted transfer (S3 checksum) and a cut one, removing the partial files', async () => {
    emulator.s3.tamper('artifacts', 'out/t1.tar.gz', 'flip');
    emulator.s3.tamper('artifacts', 'out/t2.tar.gz', 'truncate');
    try {
      const downloader = createArtifactDownloader(createObjectStorage('us-west-2'), workspace, dir);
      downloader.start(job('t0'));
      downloader.start(job('t1'));
      downloader.start(job('t2'));
      const results = await downloader.finish();
      expect(results.get('t0')).toHaveProperty('file');
      expect(results.get('t1')).toEqual({
        error:
          "could not download s3://artifacts/out/t1.tar.gz: the bytes received do not match the object's S3 checksum (x-amz-checksum-crc64nvme)",
      });
      expect(results.get('t2')).toEqual({
        error: expect.stringMatching(
          /^could not download s3:\/\/artifacts\/out\/t2\.tar\.gz: the transfer broke off after \d+ of 300002 bytes/,
        ),
      });
      expect(readdirSync(dir)).toEqual(['t0.tar.gz']);
    } finally {
      emulator.s3.tamper('artifacts', 'out/t1.tar.gz', undefined);
      emulator.s3.tamper('artifacts', 'out/t2.tar.gz', undefined);
    }
  });

  it('reports a full disk for each target and leaves no partial file', async () => {
    // A write stream that takes 64 KiB and then fails as a full disk does (the adapter's injection point).
    const fullDisk = (file: string) => {
      writeFileSync(file, '', { flag: 'wx' });
      let written = 0;
      return new Writable({
        write(chunk: Buffer, _encoding, callback) {
          written += chunk.length;
          if (written <= 65_536) return callback();
          callback(
            Object.assign(new Error('ENOSPC: no space left on device, write'), {
              code: 'ENOSPC',
              syscall: 'write',
            }),
          );
        },
      });
    };
    const storage = createObjectStorage('us-west-2', { openWriteStream: fullDisk });
    const downloader = createArtifactDownloader(storage, workspace, dir);
    downloader.start(job('t0'));
    downloader.start(job('t1'));
    const results = await downloader.finish();
    for (const target of ['t0', 't1']) {
      expect(results.get(target)).toEqual({
        error: `could not download s3://artifacts/out/${target}.tar.gz: the disk is full (ENOSPC)`,
      });
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('skips an optimization target, saying where its output stays', async () => {
    const downloader = createArtifactDownloader(createObjectStorage('us-west-2'), workspace, dir);
    downloader.start({
      target: 'llm',
      kind: 'optimization',
      status: 'COMPLETED',
      artifact: 's3://artifacts/llm/',
    });
    downloader.start(job('failed', { status: 'FAILED' }));
    const results = await downloader.finish();
    expect([...results.keys()]).toEqual(['llm']);
    expect(results.get('llm')).toEqual({
      skipped:
        'an optimization job writes a folder of files, not one archive: its output stays in S3 at s3://artifacts/llm/',
    });
  });

  it('aborts a download in flight on cancel and removes its temp file', async () => {
    emulator.s3.delay('GetObject', Number.POSITIVE_INFINITY);
    try {
      const cancel = new AbortController();
      const downloader = createArtifactDownloader(createObjectStorage('us-west-2'), workspace, dir, {
        signal: cancel.signal,
      });
      downloader.start(job('t0'));
      setTimeout(() => cancel.abort(), 200);
      expect((await downloader.finish()).get('t0')).toEqual({
        error: 'could not download s3://artifacts/out/t0.tar.gz: cancelled',
      });
      expect(existsSync(path.join(dir, 't0.tar.gz'))).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      emulator.s3.delay('GetObject', 0);
    }
  });

  it('gives up on a body that stalls midway after the idle timeout, removing the partial file', async () => {
    emulator.s3.tamper('artifacts', 'out/t0.tar.gz', 'stall');
    try {
      const storage = createObjectStorage('us-west-2', { idleTimeoutMs: 300 });
      const downloader = createArtifactDownloader(storage, workspace, dir);
      downloader.start(job('t0'));
      expect((await downloader.finish()).get('t0')).toEqual({
        error: expect.stringMatching(
          /^could not download s3:\/\/artifacts\/out\/t0\.tar\.gz: the transfer broke off after \d+ of 300002 bytes \(.*timed out after 300 ms of inactivity/,
        ),
      });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      emulator.s3.tamper('artifacts', 'out/t0.tar.gz', undefined);
    }
  });

  it('gives up on a hung answer after the per-attempt timeout', async () => {
    emulator.s3.delay('GetObject', Number.POSITIVE_INFINITY);
    try {
      const storage = createObjectStorage('us-west-2', { requestTimeoutMs: 300 });
      const downloader = createArtifactDownloader(storage, workspace, dir);
      downloader.start(job('t0'));
      expect((await downloader.finish()).get('t0')).toEqual({
        error: expect.stringMatching(
          /^could not download s3:\/\/artifacts\/out\/t0\.tar\.gz: .*requestTimeout/,
        ),
      });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      emulator.s3.delay('GetObject', 0);
    }
  });
});

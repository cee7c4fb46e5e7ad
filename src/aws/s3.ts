// Thin adapter over the S3 SDK: path-style when an endpoint override is set (emulators, MinIO), plain data out.
// Every request has a per-attempt connection and answer timeout, and every call takes the run's AbortSignal.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { S3Location } from '../s3-uri.ts';

export interface ObjectHead {
  etag?: string;
  versionId?: string;
  size?: number;
}

export type HeadResult =
  | { ok: true; head: ObjectHead }
  | { ok: false; reason: 'missing' | 'forbidden' | 'error'; message: string };

/** What a GetObject gave, to verify the bytes against (see verifyDownload in src/run/download.ts). */
export interface DownloadedObject {
  /** Bytes written. */
  size: number;
  /** Hex digests of the bytes written. */
  sha256: string;
  md5: string;
  /** As S3 answered: Content-Length, ETag (quoted) and the server-side encryption (AES256, aws:kms, ...). */
  contentLength?: number;
  etag?: string;
  serverSideEncryption?: string;
  /** The S3 checksum the SDK validated the bytes against (e.g. CRC64NVME), when S3 sent a full-object one. */
  checksum?: string;
}

/** A GetObject whose body ended early or failed: how far it got. */
export class TransferError extends Error {
  override name = 'TransferError';
  /** Bytes received before the failure, and the Content-Length S3 announced. */
  readonly received: number;
  readonly expected: number | undefined;
  constructor(message: string, received: number, expected: number | undefined, cause: unknown) {
    super(message, { cause });
    this.received = received;
    this.expected = expected;
  }
}

export interface CallOptions {
  /** The run's signal: an aborted call rejects at once (an aborted multipart upload is aborted in S3 too). */
  signal?: AbortSignal;
}

export interface ObjectStorage {
  head(location: S3Location, options?: CallOptions): Promise<HeadResult>;
  /**
   * Streams the object into a new file `file` (created exclusively: an existing file or symlink there is an
   * error, never followed), validating S3's checksum on the way (ChecksumMode ENABLED).
   */
  download(location: S3Location, file: string, options?: CallOptions): Promise<DownloadedObject>;
  /** Single PutObject or multipart upload; on failure or abort, a started multipart upload is aborted. */
  upload(
    location: S3Location,
    body: Readable | Buffer,
    contentType?: string,
    options?: CallOptions,
  ): Promise<{ etag?: string }>;
  /** Bytes first..last (inclusive) of the object. */
  readRange(location: S3Location, first: number, last: number, options?: CallOptions): Promise<Buffer>;
  /**
   * The object as a stream (never buffered whole), with its size; a 403/404 comes back as a HeadResult error.
   * S3's checksum is not validated: for gzip archives, whose own trailer checks the bytes.
   */
  openRead(
    location: S3Location,
    options?: CallOptions,
  ): Promise<{ ok: true; body: Readable; size?: number } | Extract<HeadResult, { ok: false }>>;
  /** Objects under a prefix (key order), at most `limit`; a failure comes back as a HeadResult-style error. */
  listPrefix(
    location: S3Location,
    limit: number,
    options?: CallOptions,
  ): Promise<
    | { ok: true; objects: { key: string; etag?: string; size?: number }[] }
    | Extract<HeadResult, { ok: false }>
  >;
}

export interface ObjectStorageOptions {
  /**
   * Per attempt: to connect, to get an answer, and the longest silence while a body streams (SDK retries
   * apply to the first two). Defaults 5 s, 60 s and 60 s.
   */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Where downloads are written (tests inject a failing stream, e.g. a full disk). */
  openWriteStream?: (file: string) => Writable;
}

/** A failed S3 call as a HeadResult: 404 missing, 403 forbidden, anything else an error, each with its text. */
function s3Failure(
  error: unknown,
  uri: string,
  wording: { missing: string; forbidden: string },
): Extract<HeadResult, { ok: false }> {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === 404) return { ok: false, reason: 'missing', message: `${uri} ${wording.missing}` };
  if (status === 403) return { ok: false, reason: 'forbidden', message: `${uri} ${wording.forbidden}` };
  return { ok: false, reason: 'error', message: `${uri}: ${String((error as Error).message)}` };
}

export function createObjectStorage(region: string, options: ObjectStorageOptions = {}): ObjectStorage {
  const handler = new NodeHttpHandler({
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    requestTimeout: options.requestTimeoutMs ?? 60_000,
    socketTimeout: options.idleTimeoutMs ?? 60_000,
    // A hung answer must fail the attempt (the SDK then retries), not just log a warning.
    throwOnRequestTimeout: true,
  });
  const config = {
    region: region || 'us-east-1',
    // Endpoint overrides (emulator, MinIO, VPC endpoints by IP) only work with path-style addressing.
    forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL),
    // Model and artifact buckets may live in other regions than the workflow's default.
    followRegionRedirects: true,
  };
  const client = new S3Client({ ...config, requestHandler: handler });
  // The model preflight reads whole archives without S3's checksum: gzip's own CRC-32 and length trailer already
  // check every byte (zlib fails the stream otherwise), and the SDK's CRC64NVME in JavaScript costs ~190 ms of CPU
  // per 100 MB. Downloads keep ChecksumMode ENABLED.
  let streamClient: S3Client | undefined;
  const streamingClient = () => {
    streamClient ??= new S3Client({
      ...config,
      requestHandler: handler,
      responseChecksumValidation: 'WHEN_REQUIRED',
      // The same credentials, resolved once (no second IMDS or STS call).
      credentials: client.config.credentials,
    });
    return streamClient;
  };
  const openWriteStream =
    options.openWriteStream ?? ((file: string) => createWriteStream(file, { flags: 'wx', mode: 0o644 }));
  const abortable = (callOptions?: CallOptions) => ({ abortSignal: callOptions?.signal });

  return {
    async head({ bucket, key }, callOptions) {
      try {
        const out = await client.send(
          new HeadObjectCommand({ Bucket: bucket, Key: key }),
          abortable(callOptions),
        );
        return { ok: true, head: { etag: out.ETag, versionId: out.VersionId, size: out.ContentLength } };
      } catch (error) {
        return s3Failure(error, `s3://${bucket}/${key}`, {
          missing: 'does not exist',
          // S3 answers 403, not 404, for a missing key when the caller lacks s3:ListBucket.
          forbidden:
            'does not exist or is not readable (S3 answers 403 for both without s3:ListBucket; the role needs s3:GetObject)',
        });
      }
    },

    async download({ bucket, key }, file, callOptions) {
      const out = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
        abortable(callOptions),
      );
      const sha256 = createHash('sha256');
      const md5 = createHash('md5');
      let size = 0;
      const body = out.Body as Readable;
      body.on('data', (chunk: Buffer) => {
        sha256.update(chunk);
        md5.update(chunk);
        size += chunk.length;
      });
      try {
        await pipeline(body, openWriteStream(file), { signal: callOptions?.signal });
      } catch (error) {
        // A file error (ENOSPC, EACCES) keeps its code; a body that broke off says how far it got.
        if (FILE_SYSCALLS.has((error as NodeJS.ErrnoException).syscall ?? '')) throw error;
        throw new TransferError((error as Error).message, size, out.ContentLength, error);
      }
      const checksum = fullObjectChecksum(out);
      return {
        size,
        sha256: sha256.digest('hex'),
        md5: md5.digest('hex'),
        contentLength: out.ContentLength,
        etag: out.ETag,
        serverSideEncryption: out.ServerSideEncryption,
        ...(checksum && { checksum }),
      };
    },

    async listPrefix({ bucket, key }, limit, callOptions) {
      const objects: { key: string; etag?: string; size?: number }[] = [];
      let token: string | undefined;
      try {
        do {
          const out = await client.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: key,
              ContinuationToken: token,
              MaxKeys: 1000,
            }),
            abortable(callOptions),
          );
          for (const item of out.Contents ?? [])
            objects.push({ key: item.Key ?? '', etag: item.ETag, size: item.Size });
          token = out.IsTruncated ? out.NextContinuationToken : undefined;
        } while (token && objects.length < limit);
        return { ok: true, objects };
      } catch (error) {
        return s3Failure(error, `s3://${bucket}/${key}`, {
          missing: 'is in a bucket that does not exist',
          forbidden: 'cannot be listed (s3:ListBucket is denied)',
        });
      }
    },

    async openRead({ bucket, key }, callOptions) {
      try {
        const out = await streamingClient().send(
          new GetObjectCommand({ Bucket: bucket, Key: key }),
          abortable(callOptions),
        );
        return { ok: true, body: out.Body as Readable, size: out.ContentLength };
      } catch (error) {
        return s3Failure(error, `s3://${bucket}/${key}`, {
          missing: 'does not exist',
          forbidden: 'is not readable (the role needs s3:GetObject)',
        });
      }
    },

    async readRange({ bucket, key }, first, last, callOptions) {
      const out = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${first}-${last}` }),
        abortable(callOptions),
      );
      return Buffer.from(
        await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
    },

    async upload({ bucket, key }, body, contentType, callOptions) {
      // lib-storage sends its part requests without a signal: a client of its own carries the run's signal
      // into each of them, so a cancel interrupts a part in flight. Its AbortMultipartUpload then runs anyway.
      const uploadClient = callOptions?.signal
        ? new S3Client({ ...config, requestHandler: withSignal(handler, callOptions.signal) })
        : client;
      // Loaded only by runs that upload a local model.
      const { Upload } = await import('@aws-sdk/lib-storage');
      const upload = new Upload({
        client: uploadClient,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
        partSize: 8 * 1024 * 1024,
        queueSize: 4,
        leavePartsOnError: false,
      });
      const out = await upload.done();
      return { etag: out.ETag };
    },
  };
}

/** The calls of a write stream to a file: their errors are the disk's, not the transfer's. */
const FILE_SYSCALLS = new Set(['open', 'write', 'writev', 'close', 'fsync']);

type HandleArguments = Parameters<NodeHttpHandler['handle']>;

/**
 * The handler with `signal` on every request, except the two a cancel must let through: CreateMultipartUpload
 * (so the upload id is known) and AbortMultipartUpload (so no incomplete upload is left to bill for).
 */
function withSignal(handler: NodeHttpHandler, signal: AbortSignal): NodeHttpHandler {
  const lets = (request: HandleArguments[0]) =>
    (request.method === 'POST' && 'uploads' in request.query) ||
    (request.method === 'DELETE' && 'uploadId' in request.query);
  return new Proxy(handler, {
    get(target, property, receiver) {
      if (property !== 'handle') return Reflect.get(target, property, receiver);
      return (request: HandleArguments[0], handlerOptions: HandleArguments[1] = {}) =>
        target.handle(
          request,
          lets(request)
            ? handlerOptions
            : {
                ...handlerOptions,
                abortSignal: handlerOptions.abortSignal
                  ? AbortSignal.any([handlerOptions.abortSignal as AbortSignal, signal])
                  : signal,
              },
        );
    },
  });
}

/** The full-object checksum S3 sent (the SDK has validated the body against it); composite ones are skipped. */
function fullObjectChecksum(out: {
  ChecksumCRC32?: string;
  ChecksumCRC32C?: string;
  ChecksumCRC64NVME?: string;
  ChecksumSHA1?: string;
  ChecksumSHA256?: string;
}): string | undefined {
  const found = (
    [
      ['CRC64NVME', out.ChecksumCRC64NVME],
      ['CRC32', out.ChecksumCRC32],
      ['CRC32C', out.ChecksumCRC32C],
      ['SHA256', out.ChecksumSHA256],
      ['SHA1', out.ChecksumSHA1],
    ] as const
  ).find(([, value]) => value !== undefined && !/-\d+$/.test(value));
  return found ? `${found[0]} ${found[1]}` : undefined;
}

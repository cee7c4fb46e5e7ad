// Thin adapter over the S3 SDK: path-style when an endpoint override is set (emulators, MinIO), plain data out.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Location } from '../s3-uri.ts';

export interface ObjectHead {
  etag?: string;
  versionId?: string;
  size?: number;
}

export type HeadResult =
  | { ok: true; head: ObjectHead }
  | { ok: false; reason: 'missing' | 'forbidden' | 'error'; message: string };

export interface ObjectStorage {
  head(location: S3Location): Promise<HeadResult>;
  /** Streams the object into `file`; returns its size and sha256 (hex). */
  download(
    location: S3Location,
    file: string,
  ): Promise<{ size: number; sha256: string; expectedSize?: number }>;
  upload(location: S3Location, body: Readable | Buffer, contentType?: string): Promise<{ etag?: string }>;
  /** Bytes first..last (inclusive) of the object. */
  readRange(location: S3Location, first: number, last: number): Promise<Buffer>;
  /** Objects under a prefix (key order), at most `limit`; a failure comes back as a HeadResult-style error. */
  listPrefix(
    location: S3Location,
    limit: number,
  ): Promise<
    | { ok: true; objects: { key: string; etag?: string; size?: number }[] }
    | Extract<HeadResult, { ok: false }>
  >;
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

export function createObjectStorage(region: string): ObjectStorage {
  const client = new S3Client({
    region: region || 'us-east-1',
    // Endpoint overrides (emulator, MinIO, VPC endpoints by IP) only work with path-style addressing.
    forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL),
    // Model and artifact buckets may live in other regions than the workflow's default.
    followRegionRedirects: true,
  });
  return {
    async head({ bucket, key }) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
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

    async download({ bucket, key }, file) {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const hash = createHash('sha256');
      let size = 0;
      const body = out.Body as Readable;
      body.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      await pipeline(body, createWriteStream(file));
      return { size, sha256: hash.digest('hex'), expectedSize: out.ContentLength };
    },

    async listPrefix({ bucket, key }, limit) {
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

    async readRange({ bucket, key }, first, last) {
      const out = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${first}-${last}` }),
      );
      return Buffer.from(
        await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
    },

    async upload({ bucket, key }, body, contentType) {
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
        partSize: 8 * 1024 * 1024,
        queueSize: 4,
      });
      const out = await upload.done();
      return { etag: out.ETag };
    },
  };
}

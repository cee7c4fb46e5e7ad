import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createObjectStore } from '../../emulator/object-store.ts';
import { computeChecksum, createS3Emulator, decodeAwsChunked, mulberry32 } from '../../emulator/s3.ts';
import type { RecordedCall } from '../../emulator/types.ts';

const BUCKET = 'neo-models';

interface Harness {
  server: Server;
  endpoint: string;
  calls: RecordedCall[];
  seen: { method: string; url: string; headers: IncomingHttpHeaders }[];
  store: ReturnType<typeof createObjectStore>;
  emulator: ReturnType<typeof createS3Emulator>;
  client(config?: Partial<S3ClientConfig>): S3Client;
  close(): Promise<void>;
}

async function start(options: { versioning?: boolean; autoCreateBuckets?: boolean } = {}): Promise<Harness> {
  const calls: RecordedCall[] = [];
  const seen: Harness['seen'] = [];
  const store = createObjectStore();
  const emulator = createS3Emulator({
    store,
    record: (c) => calls.push(c),
    versioning: options.versioning,
    autoCreateBuckets: options.autoCreateBuckets,
  });
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    emulator.handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: S3Client[] = [];
  return {
    server,
    endpoint,
    calls,
    seen,
    store,
    emulator,
    client(config = {}) {
      const c = new S3Client({
        endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIAEMULATOR', secretAccessKey: 'emulator-secret' },
        ...config,
      });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.destroy();
      emulator.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

async function bodyOf(out: { Body?: { transformToByteArray(): Promise<Uint8Array> } }): Promise<Buffer> {
  if (!out.Body) throw new Error('no body');
  return Buffer.from(await out.Body.transformToByteArray());
}

/** A raw HTTP request, for framing the SDK would never send. */
function raw(
  endpoint: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${endpoint}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

function awsChunked(payload: Buffer, chunkSize: number, trailer?: string): Buffer {
  const pieces: Buffer[] = [];
  for (let i = 0; i < payload.length; i += chunkSize) {
    const part = payload.subarray(i, i + chunkSize);
    pieces.push(Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`0\r\n${trailer ? `${trailer}\r\n` : ''}\r\n`));
  return Buffer.concat(pieces);
}

describe('S3 emulator with the real S3Client', () => {
  let h: Harness;
  let s3: S3Client;

  beforeAll(async () => {
    h = await start();
    s3 = h.client();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.store.reset();
    h.store.createBucket(BUCKET);
    h.calls.length = 0;
    h.seen.length = 0;
    Object.assign(h.emulator.faults, { throttleRate: 0, errorRate: 0, dropRate: 0, latencyMs: 0, seed: 1 });
    h.emulator.faults.operations = undefined;
  });

  describe('checksum primitives', () => {
    it('match the published check values', () => {
      const check = Buffer.from('123456789');
      expect(Buffer.from(computeChecksum('crc32', check), 'base64').toString('hex')).toBe('cbf43926');
      expect(Buffer.from(computeChecksum('crc32c', check), 'base64').toString('hex')).toBe('e3069283');
      expect(Buffer.from(computeChecksum('crc64nvme', check), 'base64').toString('hex')).toBe(
        'ae8b14860a799888',
      );
    });

    it('decodes aws-chunked framing with signatures and trailers', () => {
      const framed = Buffer.from(
        '5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=ghi\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n',
      );
      const { payload, trailers } = decodeAwsChunked(framed);
      expect(payload.toString()).toBe('hello world');
      expect(trailers.get('x-amz-checksum-crc32')).toBe('AAAAAA==');
    });
  });

  describe('PutObject', () => {
    it('stores a Buffer body', async () => {
      const body = randomBytes(3000);
      const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'buffer.bin', Body: body }));
      expect(out.ETag).toBe(`"${md5(body)}"`);
      expect(out.ChecksumCRC32).toBe(computeChecksum('crc32', body));
      expect(h.store.getObject(BUCKET, 'buffer.bin')?.body.equals(body)).toBe(true);
    });

    it('stores a string body with its content type', async () => {
      const text = 'compiled model: ✓ ünïcödé';
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'notes/readme.txt',
          Body: text,
          ContentType: 'text/plain',
        }),
      );
      const stored = h.store.getObject(BUCKET, 'notes/readme.txt');
      expect(stored?.body.toString('utf8')).toBe(text);
      expect(stored?.contentType).toBe('text/plain');
    });

    it('decodes an aws-chunked stream body with a trailing checksum, byte for byte', async () => {
      const body = randomBytes(40_000);
      const stream = Readable.from([
        body.subarray(0, 16_384),
        body.subarray(16_384, 32_768),
        body.subarray(32_768),
      ]);
      const out = await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'stream.bin', Body: stream, ContentLength: body.length }),
      );
      const put = h.seen.find((r) => r.method === 'PUT' && r.url.startsWith(`/${BUCKET}/stream.bin`));
      expect(put?.headers['content-encoding']).toBe('aws-chunked');
      expect(put?.headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
      expect(put?.headers['x-amz-trailer']).toBe('x-amz-checksum-crc32');
      expect(put?.headers['x-amz-decoded-content-length']).toBe(String(body.length));

      const stored = h.store.getObject(BUCKET, 'stream.bin');
      expect(stored?.body.length).toBe(body.length);
      expect(stored?.body.equals(body)).toBe(true);
      expect(out.ETag).toBe(`"${md5(body)}"`);
      expect(out.ChecksumCRC32).toBe(computeChecksum('crc32', body));

      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'stream.bin' }));
      expect(got.ContentEncoding).toBeUndefined(); // "aws-chunked" is not stored
      expect((await bodyOf(got)).equals(body)).toBe(true);
    });

    it('keeps a real Content-Encoding while stripping aws-chunked', async () => {
      const body = Buffer.from('pretend this is gzip');
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'enc.gz',
          Body: Readable.from([body]),
          ContentLength: body.length,
          ContentEncoding: 'gzip',
        }),
      );
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'enc.gz' }));
      expect(head.ContentEncoding).toBe('gzip');
      expect(h.store.getObject(BUCKET, 'enc.gz')?.body.equals(body)).toBe(true);
    });

    it('rejects small non-final aws-chunked chunks as S3 does, and accepts them when the SDK buffers', async () => {
      const body = randomBytes(3000);
      const pieces = () =>
        Readable.from([body.subarray(0, 1000), body.subarray(1000, 2000), body.subarray(2000)]);
      const quiet = { debug() {}, info() {}, warn() {}, error() {} }; // the SDK warns about the failed stream
      await expect(
        h
          .client({ logger: quiet })
          .send(
            new PutObjectCommand({ Bucket: BUCKET, Key: 'small.bin', Body: pieces(), ContentLength: 3000 }),
          ),
      ).rejects.toMatchObject({ name: 'InvalidChunkSizeError', $metadata: { httpStatusCode: 400 } });

      const buffering = h.client({ requestStreamBufferSize: 65_536 });
      await buffering.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'small.bin', Body: pieces(), ContentLength: 3000 }),
      );
      expect(h.store.getObject(BUCKET, 'small.bin')?.body.equals(body)).toBe(true);
    });

    it.each(['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const)(
      'verifies %s as header and as trailer, and returns it on GetObject',
      async (algorithm) => {
        const body = randomBytes(20_000);
        const name = algorithm.toLowerCase() as Parameters<typeof computeChecksum>[0];
        const field = `Checksum${algorithm}` as const;
        const fromBuffer = await s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: `h-${name}`,
            Body: body,
            ChecksumAlgorithm: algorithm,
          }),
        );
        expect(fromBuffer[field]).toBe(computeChecksum(name, body));
        const fromStream = await s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: `t-${name}`,
            Body: Readable.from([body]),
            ContentLength: body.length,
            ChecksumAlgorithm: algorithm,
          }),
        );
        expect(fromStream[field]).toBe(computeChecksum(name, body));
        // The SDK validates the returned checksum against the bytes it receives.
        const got = await s3.send(
          new GetObjectCommand({ Bucket: BUCKET, Key: `t-${name}`, ChecksumMode: 'ENABLED' }),
        );
        expect(got[field]).toBe(computeChecksum(name, body));
        expect((await bodyOf(got)).equals(body)).toBe(true);
      },
    );

    it('computes CRC64NVME when the client sends no checksum (the SDK validates it on GetObject)', async () => {
      const plain = h.client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
      const body = randomBytes(5000);
      const out = await plain.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plain.bin', Body: body }));
      expect(out.ChecksumCRC64NVME).toBe(computeChecksum('crc64nvme', body));
      const got = await plain.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: 'plain.bin', ChecksumMode: 'ENABLED' }),
      );
      expect(got.ChecksumCRC64NVME).toBe(computeChecksum('crc64nvme', body));
      expect((await bodyOf(got)).equals(body)).toBe(true);
    });

    it('answers BadDigest, IncompleteBody and MissingContentLength for bad aws-chunked uploads', async () => {
      const payload = Buffer.from('model bytes');
      const base = {
        'content-encoding': 'aws-chunked',
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-trailer': 'x-amz-checksum-crc32',
      };
      const good = `x-amz-checksum-crc32:${computeChecksum('crc32', payload)}`;
      const ok = await raw(
        h.endpoint,
        'PUT',
        `/${BUCKET}/raw.bin`,
        { ...base, 'x-amz-decoded-content-length': String(payload.length) },
        awsChunked(payload, 64, good),
      );
      expect(ok.status).toBe(200);
      expect(h.store.getObject(BUCKET, 'raw.bin')?.body.equals(payload)).toBe(true);

      const bad = await raw(
        h.endpoint,
        'PUT',
        `/${BUCKET}/raw.bin`,
        { ...base, 'x-amz-decoded-content-length': String(payload.length) },
        awsChunked(payload, 64, `x-amz-checksum-crc32:${computeChecksum('crc32', Buffer.from('other'))}`),
      );
      expect(bad.status).toBe(400);
      expect(bad.body).toContain('<Code>BadDigest</Code>');

      const short = await raw(
        h.endpoint,
        'PUT',
        `/${BUCKET}/raw.bin`,
        { ...base, 'x-amz-decoded-content-length': String(payload.length + 1) },
        awsChunked(payload, 64, good),
      );
      expect(short.status).toBe(400);
      expect(short.body).toContain('<Code>IncompleteBody</Code>');

      const noTrailer = await raw(
        h.endpoint,
        'PUT',
        `/${BUCKET}/raw.bin`,
        { ...base, 'x-amz-decoded-content-length': String(payload.length) },
        awsChunked(payload, 64),
      );
      expect(noTrailer.status).toBe(400);
      expect(noTrailer.body).toContain('<Code>MalformedTrailerError</Code>');

      const noLength = await raw(
        h.endpoint,
        'PUT',
        `/${BUCKET}/raw.bin`,
        base,
        awsChunked(payload, 64, good),
      );
      expect(noLength.status).toBe(411);
      expect(noLength.body).toContain('<Code>MissingContentLength</Code>');
      expect(h.store.getObject(BUCKET, 'raw.bin')?.body.equals(payload)).toBe(true);
    });

    it('answers NoSuchBucket (404, S3 error XML) for a PUT or a multipart upload into a missing bucket', async () => {
      const missing = {
        name: 'NoSuchBucket',
        BucketName: 'fresh-bucket',
        $metadata: { httpStatusCode: 404 },
      };
      await expect(
        s3.send(new PutObjectCommand({ Bucket: 'fresh-bucket', Key: 'k', Body: 'x' })),
      ).rejects.toMatchObject(missing);
      await expect(
        s3.send(new CreateMultipartUploadCommand({ Bucket: 'fresh-bucket', Key: 'k' })),
      ).rejects.toMatchObject(missing);
      await expect(
        new Upload({
          client: s3,
          params: { Bucket: 'fresh-bucket', Key: 'big', Body: randomBytes(6 * 1024 * 1024) },
        }).done(),
      ).rejects.toMatchObject(missing);
      const put = await raw(
        h.endpoint,
        'PUT',
        '/fresh-bucket/k',
        { 'content-length': '1' },
        Buffer.from('x'),
      );
      expect(put.status).toBe(404);
      expect(put.headers['content-type']).toBe('application/xml');
      expect(put.body).toMatch(
        /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchBucket<\/Code><Message>The specified bucket does not exist<\/Message><BucketName>fresh-bucket<\/BucketName><RequestId>/,
      );
      expect(h.store.listBuckets()).not.toContain('fresh-bucket');
    });

    it('creates a missing bucket on write when autoCreateBuckets is set', async () => {
      const lenient = await start({ autoCreateBuckets: true });
      try {
        await lenient.client().send(new PutObjectCommand({ Bucket: 'fresh-bucket', Key: 'k', Body: 'x' }));
        expect(lenient.store.listBuckets()).toContain('fresh-bucket');
        await lenient.client().send(new HeadBucketCommand({ Bucket: 'fresh-bucket' }));
      } finally {
        await lenient.close();
      }
    });
  });

  describe('HeadObject / GetObject', () => {
    it('heads an existing object and answers NotFound for a missing one', async () => {
      const body = Buffer.from('0123456789');
      await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'a.txt', Body: body, ContentType: 'text/plain' }),
      );
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'a.txt' }));
      expect(head.ContentLength).toBe(10);
      expect(head.ETag).toBe(`"${md5(body)}"`);
      expect(head.ContentType).toBe('text/plain');
      expect(head.LastModified).toBeInstanceOf(Date);

      const missing = s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'missing.txt' }));
      await expect(missing).rejects.toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    });

    it('gets bytes and ETag; NoSuchKey and NoSuchBucket for missing ones', async () => {
      const body = randomBytes(1234);
      await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'dir/obj.bin', Body: body, Metadata: { job: 'j-1' } }),
      );
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'dir/obj.bin' }));
      expect(got.ETag).toBe(`"${md5(body)}"`);
      expect(got.ContentLength).toBe(1234);
      expect(got.Metadata).toEqual({ job: 'j-1' });
      expect((await bodyOf(got)).equals(body)).toBe(true);

      await expect(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'nope' }))).rejects.toMatchObject({
        name: 'NoSuchKey',
        Key: 'nope',
        $metadata: { httpStatusCode: 404 },
      });
      await expect(
        s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' })),
      ).rejects.toMatchObject({
        name: 'NoSuchBucket',
        $metadata: { httpStatusCode: 404 },
      });
    });

    it('serves objects written straight into the store (SageMaker artifacts)', async () => {
      const body = Buffer.from('artifact');
      h.store.putObject(BUCKET, 'out/model.tar.gz', body, 'application/gzip');
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'out/model.tar.gz' }));
      expect(got.ContentType).toBe('application/gzip');
      expect(got.ChecksumCRC32).toBeUndefined();
      expect((await bodyOf(got)).equals(body)).toBe(true);
    });

    it('serves byte ranges', async () => {
      const body = Buffer.from('abcdefghijklmnopqrstuvwxyz');
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'letters', Body: body }));
      const mid = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'letters', Range: 'bytes=2-5' }));
      expect(mid.$metadata.httpStatusCode).toBe(206);
      expect(mid.ContentRange).toBe('bytes 2-5/26');
      expect(mid.ContentLength).toBe(4);
      expect((await bodyOf(mid)).toString()).toBe('cdef');

      const tail = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'letters', Range: 'bytes=-3' }));
      expect((await bodyOf(tail)).toString()).toBe('xyz');
      const open = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: 'letters', Range: 'bytes=20-' }),
      );
      expect((await bodyOf(open)).toString()).toBe('uvwxyz');

      await expect(
        s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'letters', Range: 'bytes=100-200' })),
      ).rejects.toMatchObject({ name: 'InvalidRange', $metadata: { httpStatusCode: 416 } });
    });

    it('honours If-None-Match with 304', async () => {
      const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cached', Body: 'v1' }));
      await expect(
        s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cached', IfNoneMatch: put.ETag })),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    });

    it('deletes objects (204 even when missing)', async () => {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'gone', Body: 'x' }));
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'gone' }));
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'gone' }));
      expect(h.store.getObject(BUCKET, 'gone')).toBeUndefined();
    });
  });

  describe('ListObjectsV2', () => {
    it('pages with MaxKeys and ContinuationToken', async () => {
      const keys = Array.from({ length: 25 }, (_, i) => `models/m-${String(i).padStart(2, '0')}.tar.gz`);
      for (const k of keys) h.store.putObject(BUCKET, k, Buffer.from(k));
      const seenKeys: string[] = [];
      let token: string | undefined;
      const pages: number[] = [];
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: BUCKET,
            Prefix: 'models/',
            MaxKeys: 10,
            ContinuationToken: token,
          }),
        );
        pages.push(page.KeyCount ?? -1);
        for (const o of page.Contents ?? []) seenKeys.push(o.Key ?? '');
        expect(page.IsTruncated).toBe(page.NextContinuationToken !== undefined);
        token = page.NextContinuationToken;
      } while (token);
      expect(pages).toEqual([10, 10, 5]);
      expect(seenKeys).toEqual(keys);

      const after = await s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, StartAfter: 'models/m-22.tar.gz', MaxKeys: 100 }),
      );
      expect(after.Contents?.map((o) => o.Key)).toEqual(['models/m-23.tar.gz', 'models/m-24.tar.gz']);
      expect(after.Contents?.[0]?.Size).toBe('models/m-23.tar.gz'.length);
      expect(after.IsTruncated).toBe(false);
    });

    it('groups CommonPrefixes with a delimiter, also across pages', async () => {
      for (const k of ['a/1', 'a/2', 'b/1', 'c/x/1', 'root.txt', 'z/9'])
        h.store.putObject(BUCKET, k, Buffer.from(k));
      const all = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
      expect(all.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/', 'c/', 'z/']);
      expect(all.Contents?.map((o) => o.Key)).toEqual(['root.txt']);
      expect(all.KeyCount).toBe(5);

      const entries: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 2, ContinuationToken: token }),
        );
        entries.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''));
        entries.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
        token = page.NextContinuationToken;
      } while (token);
      expect(entries.sort()).toEqual(['a/', 'b/', 'c/', 'root.txt', 'z/']);

      const nested = await s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'c/', Delimiter: '/' }),
      );
      expect(nested.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['c/x/']);
    });
  });

  it('copies, batch-deletes and lists with ListObjects (v1)', async () => {
    const body = randomBytes(2048);
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'src/a.bin', Body: body, Metadata: { k: 'v' } }),
    );
    const copy = await s3.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: 'dst/a.bin', CopySource: `${BUCKET}/src/a.bin` }),
    );
    expect(copy.CopyObjectResult?.ETag).toBe(`"${md5(body)}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'dst/a.bin' }));
    expect(head.Metadata).toEqual({ k: 'v' });

    const v1 = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 1 }));
    expect(v1.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['dst/']);
    expect(v1.IsTruncated).toBe(true);
    const v1next = await s3.send(
      new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/', Marker: v1.NextMarker }),
    );
    expect(v1next.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['src/']);
    expect(v1next.IsTruncated).toBe(false);

    const deleted = await s3.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: 'src/a.bin' }, { Key: 'dst/a.bin' }, { Key: 'never-existed' }] },
      }),
    );
    expect(deleted.Deleted?.map((d) => d.Key)).toEqual(['src/a.bin', 'dst/a.bin', 'never-existed']);
    expect(h.store.keys(BUCKET)).toEqual([]);
  });

  describe('multipart', () => {
    it('uploads ~12 MB with lib-storage Upload byte-identically with a multipart ETag', async () => {
      const body = randomBytes(12 * 1024 * 1024 + 12345);
      const upload = new Upload({
        client: s3,
        params: { Bucket: BUCKET, Key: 'big/model.tar.gz', Body: body },
        partSize: 5 * 1024 * 1024,
        queueSize: 2,
      });
      const out = await upload.done();
      const parts = [0, 1, 2].map((i) => body.subarray(i * 5 * 1024 * 1024, (i + 1) * 5 * 1024 * 1024));
      const expected = `"${createHash('md5')
        .update(Buffer.concat(parts.map((p) => createHash('md5').update(p).digest())))
        .digest('hex')}-3"`;
      expect(out.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
      expect(out.ETag).toBe(expected);
      expect(h.calls.filter((c) => c.operation === 'UploadPart')).toHaveLength(3);
      expect(h.calls.map((c) => c.operation)).toContain('CompleteMultipartUpload');

      const stored = h.store.getObject(BUCKET, 'big/model.tar.gz');
      expect(stored?.body.length).toBe(body.length);
      expect(stored?.body.equals(body)).toBe(true);

      // Composite checksum ("...-3"): returned, and the SDK knows not to validate it against the whole body.
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big/model.tar.gz' }));
      expect(got.ETag).toBe(expected);
      expect(got.ChecksumCRC32).toMatch(/-3$/);
      expect((await bodyOf(got)).equals(body)).toBe(true);
    });

    it('answers InvalidPart, EntityTooSmall and NoSuchUpload', async () => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp' }));
      const p1 = await s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: 'mp',
          UploadId,
          PartNumber: 1,
          Body: Buffer.alloc(1000, 1),
        }),
      );
      const p2 = await s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: 'mp',
          UploadId,
          PartNumber: 2,
          Body: Buffer.alloc(10, 2),
        }),
      );
      const listed = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'mp', UploadId }));
      expect(listed.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
        [1, 1000],
        [2, 10],
      ]);

      await expect(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: BUCKET,
            Key: 'mp',
            UploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"00000000000000000000000000000000"' }] },
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidPart', $metadata: { httpStatusCode: 400 } });

      await expect(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: BUCKET,
            Key: 'mp',
            UploadId,
            MultipartUpload: {
              Parts: [
                { PartNumber: 1, ETag: p1.ETag },
                { PartNumber: 2, ETag: p2.ETag },
              ],
            },
          }),
        ),
      ).rejects.toMatchObject({ name: 'EntityTooSmall', $metadata: { httpStatusCode: 400 } });

      // A single (last) part may be small.
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'mp',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }] },
        }),
      );
      expect(done.ETag).toMatch(/-1"$/);
      expect(h.store.getObject(BUCKET, 'mp')?.body.equals(Buffer.alloc(1000, 1))).toBe(true);

      await expect(
        s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp', UploadId })),
      ).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    });
  });

  describe('faults', () => {
    it('answers SlowDown (503) that the SDK surfaces when maxAttempts is 1', async () => {
      h.emulator.faults.throttleRate = 1;
      const once = h.client({ maxAttempts: 1 });
      await expect(once.send(new HeadBucketCommand({ Bucket: BUCKET }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 503, attempts: 1 },
      });
      await expect(once.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'x' }))).rejects.toMatchObject({
        name: 'SlowDown',
        $metadata: { httpStatusCode: 503 },
      });
      expect(h.calls.map((c) => c.status)).toEqual([503, 503]);
    });

    it('SlowDown is retried by the SDK when maxAttempts > 1 (deterministic seed)', async () => {
      // A seed whose first draw throttles and whose second does not.
      let seed = 1;
      for (; ; seed++) {
        const r = mulberry32(seed);
        if (r() < 0.5 && r() >= 0.5) break;
      }
      Object.assign(h.emulator.faults, { throttleRate: 0.5, seed, operations: ['PutObject'] });
      const retrying = h.client({ maxAttempts: 3 });
      const out = await retrying.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'retried', Body: 'payload' }),
      );
      expect(out.$metadata.attempts).toBe(2);
      expect(h.calls.map((c) => [c.operation, c.status])).toEqual([
        ['PutObject', 503],
        ['PutObject', 200],
      ]);
      expect(h.store.getObject(BUCKET, 'retried')?.body.toString()).toBe('payload');
    });

    it('answers InternalError (500) and drops connections', async () => {
      const once = h.client({ maxAttempts: 1 });
      h.emulator.faults.errorRate = 1;
      await expect(once.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'x' }))).rejects.toMatchObject({
        name: 'InternalError',
        $metadata: { httpStatusCode: 500 },
      });
      h.emulator.faults.errorRate = 0;
      h.emulator.faults.dropRate = 1;
      await expect(once.send(new HeadBucketCommand({ Bucket: BUCKET }))).rejects.toThrow();
      expect(h.calls.at(-1)).toMatchObject({ operation: 'HeadBucket', status: 0 });
    });

    it('adds latency and limits faults to the listed operations', async () => {
      Object.assign(h.emulator.faults, { latencyMs: 60, throttleRate: 1, operations: ['DeleteObject'] });
      const t0 = Date.now();
      await s3.send(new HeadBucketCommand({ Bucket: BUCKET }));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    });
  });

  describe('test knobs', () => {
    const body = randomBytes(4000);
    beforeEach(async () => {
      h.emulator.tamper(BUCKET, 'artifact.tar.gz', undefined);
      h.emulator.delay('HeadObject', 0);
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'artifact.tar.gz', Body: body }));
    });

    it("'truncate' announces the whole length, sends half and cuts the connection", async () => {
      h.emulator.tamper(BUCKET, 'artifact.tar.gz', 'truncate');
      const received = await new Promise<{ length?: string; bytes: number; error?: Error }>((resolve) => {
        request(`${h.endpoint}/${BUCKET}/artifact.tar.gz`, (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
          });
          res.on('error', (error) => resolve({ length: res.headers['content-length'], bytes, error }));
          res.on('end', () => resolve({ length: res.headers['content-length'], bytes }));
        }).end();
      });
      expect(received).toMatchObject({ length: '4000', bytes: 2000, error: expect.any(Error) });
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'artifact.tar.gz' }));
      await expect(bodyOf(got)).rejects.toThrow();
      // HEAD and ranges are served truly.
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'artifact.tar.gz' }));
      expect(head.ContentLength).toBe(4000);
    });

    it("'flip' sends as many bytes, some inverted, under the original ETag and checksum", async () => {
      h.emulator.tamper(BUCKET, 'artifact.tar.gz', 'flip');
      const plain = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: 'artifact.tar.gz', ChecksumMode: undefined }),
      );
      const served = await bodyOf(
        await h
          .client({ responseChecksumValidation: 'WHEN_REQUIRED' })
          .send(new GetObjectCommand({ Bucket: BUCKET, Key: 'artifact.tar.gz' })),
      );
      expect(served.length).toBe(body.length);
      expect(served.equals(body)).toBe(false);
      expect(plain.ETag).toBe(`"${md5(body)}"`);
      await expect(bodyOf(plain)).rejects.toThrow(/Checksum mismatch/);
      const checked = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: 'artifact.tar.gz', ChecksumMode: 'ENABLED' }),
      );
      // The SDK sent a CRC32 with the PutObject: that is the checksum S3 keeps and serves.
      expect(checked.ChecksumCRC32).toBe(computeChecksum('crc32', body));
      await expect(bodyOf(checked)).rejects.toThrow(/Checksum mismatch/);
      const range = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: 'artifact.tar.gz', Range: 'bytes=0-99' }),
      );
      expect((await bodyOf(range)).equals(body.subarray(0, 100))).toBe(true);
      h.emulator.tamper(BUCKET, 'artifact.tar.gz', undefined);
      const again = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'artifact.tar.gz' }));
      expect((await bodyOf(again)).equals(body)).toBe(true);
    });

    it('gives an object written straight into the store the CRC64NVME checksum S3 computes', async () => {
      const artifact = Buffer.from('compiled by sagemaker');
      h.store.putObject(BUCKET, 'out/model.tar.gz', artifact);
      const got = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: 'out/model.tar.gz', ChecksumMode: 'ENABLED' }),
      );
      expect(got.ChecksumCRC64NVME).toBe(computeChecksum('crc64nvme', artifact));
      expect((await bodyOf(got)).equals(artifact)).toBe(true);
    });

    it('delays one operation, or never answers it', async () => {
      h.emulator.delay('HeadObject', 400);
      const started = Date.now();
      await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'artifact.tar.gz' }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      const other = Date.now();
      await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'artifact.tar.gz' }));
      expect(Date.now() - other).toBeLessThan(5000);

      h.emulator.delay('HeadObject', Number.POSITIVE_INFINITY);
      const hung = s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'artifact.tar.gz' }), {
        abortSignal: AbortSignal.timeout(300),
      });
      await expect(hung).rejects.toMatchObject({ name: 'AbortError' });
      h.emulator.delay('HeadObject', 0);
      await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'artifact.tar.gz' }));
    });

    it('lists the multipart uploads in progress', async () => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu' }));
      await s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: 'mpu',
          UploadId,
          PartNumber: 1,
          Body: Buffer.from('x'),
        }),
      );
      expect(h.emulator.pendingMultipartUploads()).toEqual([
        { bucket: BUCKET, key: 'mpu', uploadId: UploadId, parts: 1 },
      ]);
      await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu', UploadId }));
      expect(h.emulator.pendingMultipartUploads()).toEqual([]);
    });
  });

  it('records every request with operation, status and key', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'records-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'records-bucket', Key: 'k1', Body: 'v' }));
    await s3.send(new GetObjectCommand({ Bucket: 'records-bucket', Key: 'k1' }));
    await s3.send(new HeadObjectCommand({ Bucket: 'records-bucket', Key: 'missing' })).catch(() => undefined);
    await s3.send(new ListObjectsV2Command({ Bucket: 'records-bucket' }));
    expect(
      h.calls.map(({ service, operation, status, detail, region }) => ({
        service,
        operation,
        status,
        detail,
        region,
      })),
    ).toEqual([
      { service: 's3', operation: 'CreateBucket', status: 200, detail: undefined, region: 'us-east-1' },
      { service: 's3', operation: 'PutObject', status: 200, detail: 'k1', region: 'us-east-1' },
      { service: 's3', operation: 'GetObject', status: 200, detail: 'k1', region: 'us-east-1' },
      { service: 's3', operation: 'HeadObject', status: 404, detail: 'missing', region: 'us-east-1' },
      { service: 's3', operation: 'ListObjectsV2', status: 200, detail: undefined, region: 'us-east-1' },
    ]);
  });
});

describe('S3 emulator with versioning', () => {
  it('returns version ids on writes and reads', async () => {
    const h = await start({ versioning: true });
    h.store.createBucket(BUCKET);
    try {
      const s3 = h.client();
      const v1 = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'v', Body: 'one' }));
      const v2 = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'v', Body: 'two' }));
      expect(v1.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(v2.VersionId).not.toBe(v1.VersionId);
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'v' }));
      expect(got.VersionId).toBe(v2.VersionId);
      expect((await bodyOf(got)).toString()).toBe('two');
    } finally {
      await h.close();
    }
  });
});

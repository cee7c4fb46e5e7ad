// Amazon S3 emulator: the REST-XML wire protocol as S3 answers it, for the real @aws-sdk/client-s3.
//
// Path-style addressing (`/bucket/key`); `bucket.localhost` virtual-host addressing is also understood.
// Supported: PutObject, GetObject (Range, conditional headers), HeadObject, DeleteObject, DeleteObjects,
// CopyObject, ListObjectsV2, ListObjects (v1), ListBuckets, CreateBucket, HeadBucket,
// CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload, ListParts.
// Anything else answers 501 NotImplemented.
//
// Request bodies: plain, or `aws-chunked` (x-amz-content-sha256: STREAMING-...) as current SDKs send stream
// bodies; the framing is removed and only the payload stored. Checksums (x-amz-checksum-* as header or trailer)
// are verified for CRC32, CRC32C, CRC64NVME, SHA1 and SHA256, as are Content-MD5 and a hex x-amz-content-sha256.
// Chunk signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) and request signatures are not verified.
//
// Writes to a missing bucket answer NoSuchBucket (404) as S3 does; `autoCreateBuckets: true` creates it instead.
// Objects written straight into the store (SageMaker artifacts) have a CRC64NVME checksum, as S3 computes for
// every new object since 2025. With versioning on, only the latest version of a key is kept.
//
// Test knobs (methods below): tamper with the body served for an object (cut the connection midway, or flip
// bytes under the original headers), delay or hang one operation, and list the multipart uploads in progress.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import { compareKeys, md5Etag } from './object-store.ts';
import { mulberry32 } from './random.ts';
import type { FaultOptions, ObjectStore, RecordedCall } from './types.ts';

/** How a tampered object's body is served: see S3Emulator.tamper. */
export type TamperMode = 'truncate' | 'stall' | 'flip';

export interface S3Emulator {
  store: ObjectStore;
  /** Mutable at runtime. */
  faults: FaultOptions;
  /**
   * Serves `bucket/key` wrongly on full GetObjects (ranges and HEAD are left alone), headers unchanged:
   * 'truncate' announces the whole Content-Length, sends half the body and cuts the connection; 'stall' sends
   * half and then nothing, keeping the connection open (until the client gives up or close()); 'flip' sends
   * as many bytes with some inverted, under the original ETag and checksum. undefined serves it truly again.
   */
  tamper(bucket: string, key: string, mode: TamperMode | undefined): void;
  /**
   * Holds every request of `operation` (e.g. 'UploadPart') for `ms` before answering it (its body is read
   * first); Infinity never answers (the connection stays open until the client gives up or the emulator closes);
   * 0 removes the delay.
   */
  delay(operation: string, ms: number): void;
  /** Multipart uploads created and neither completed nor aborted. */
  pendingMultipartUploads(): { bucket: string; key: string; uploadId: string; parts: number }[];
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Cancels pending (latency-delayed) requests and forgets multipart uploads. */
  close(): void;
}

export interface S3EmulatorDeps {
  store: ObjectStore;
  record: (c: RecordedCall) => void;
  faults?: Partial<FaultOptions>;
  /** Answer x-amz-version-id on writes and reads (only the latest version is kept). */
  versioning?: boolean;
  /** Writes to a missing bucket create it instead of answering NoSuchBucket (default false, as S3). */
  autoCreateBuckets?: boolean;
  /**
   * Reject aws-chunked bodies whose non-final chunks are under 8 KiB with InvalidChunkSizeError, as S3 does
   * (default true). The SDK sends each chunk its stream emits; `requestStreamBufferSize` fixes small chunks.
   */
  strictChunkSize?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Checksums

export type ChecksumName = 'crc32' | 'crc32c' | 'crc64nvme' | 'sha1' | 'sha256';

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    crc = (CRC32C_TABLE[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

// CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5), computed on two 32-bit halves to avoid BigInt per byte.
const [CRC64_LO, CRC64_HI] = (() => {
  const lo = new Uint32Array(256);
  const hi = new Uint32Array(256);
  const poly = 0x9a6c9329ac4bc9b5n;
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n);
    for (let k = 0; k < 8; k++) c = c & 1n ? poly ^ (c >> 1n) : c >> 1n;
    lo[n] = Number(c & 0xffffffffn);
    hi[n] = Number(c >> 32n);
  }
  return [lo, hi];
})();

function crc64nvme(data: Uint8Array): Buffer {
  let lo = 0xffffffff;
  let hi = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    const idx = (lo ^ (data[i] as number)) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ (CRC64_LO[idx] as number)) >>> 0;
    hi = ((hi >>> 8) ^ (CRC64_HI[idx] as number)) >>> 0;
  }
  const out = Buffer.alloc(8);
  out.writeUInt32BE(~hi >>> 0, 0);
  out.writeUInt32BE(~lo >>> 0, 4);
  return out;
}

const uint32be = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

const CHECKSUMS: Record<ChecksumName, { size: number; digest: (data: Buffer) => Buffer; label: string }> = {
  crc32: { size: 4, digest: (d) => uint32be(crc32(d)), label: 'CRC32' },
  crc32c: { size: 4, digest: (d) => uint32be(crc32c(d)), label: 'CRC32C' },
  crc64nvme: { size: 8, digest: crc64nvme, label: 'CRC64NVME' },
  sha1: { size: 20, digest: (d) => createHash('sha1').update(d).digest(), label: 'SHA1' },
  sha256: { size: 32, digest: (d) => createHash('sha256').update(d).digest(), label: 'SHA256' },
};

const isChecksumName = (s: string): s is ChecksumName => Object.hasOwn(CHECKSUMS, s);

/** Base64 of the checksum of `data`, as sent in x-amz-checksum-<name>. */
export function computeChecksum(name: ChecksumName, data: Buffer): string {
  return CHECKSUMS[name].digest(data).toString('base64');
}

// ---------------------------------------------------------------------------------------------------------
// Errors and XML

class S3Error extends Error {
  readonly code: string;
  readonly status: number;
  readonly fields: Record<string, string | number>;
  constructor(code: string, status: number, message: string, fields: Record<string, string | number> = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.fields = fields;
  }
}

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const MIN_PART_SIZE = 5 * 1024 * 1024;
const OWNER_ID = '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a';

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

const el = (tag: string, value: string | number | boolean | undefined): string =>
  value === undefined ? '' : `<${tag}>${escapeXml(String(value))}</${tag}>`;

/** Inner XML of every `<tag>` element (not nested in itself). */
function xmlBlocks(xml: string, tag: string): string[] {
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1] ?? '');
}

function xmlValue(xml: string, tag: string): string | undefined {
  const first = xmlBlocks(xml, tag)[0];
  return first === undefined ? undefined : unescapeXml(first.trim());
}

function errorXml(err: S3Error, requestId: string, hostId: string): string {
  const fields = Object.entries(err.fields)
    .map(([k, v]) => el(k, v))
    .join('');
  return `${XML_DECL}<Error>${el('Code', err.code)}${el('Message', err.message)}${fields}${el('RequestId', requestId)}${el('HostId', hostId)}</Error>`;
}

const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString();
const httpDate = (ms: number): string => new Date(ms).toUTCString();
const unquote = (etag: string): string => etag.trim().replace(/^"|"$/g, '');

/**
 * One `bytes=` range, as S3 reads it: undefined for no/ignored Range (S3 ignores multiple and malformed ranges
 * and answers the whole object); throws InvalidRange (416) when unsatisfiable.
 */
function parseRange(value: string | undefined, size: number): { start: number; end: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const unsatisfiable = () =>
    new S3Error('InvalidRange', 416, 'The requested range is not satisfiable', {
      RangeRequested: value,
      ActualObjectSize: size,
    });
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Number(m[2]);
  if (end < start) return undefined;
  if (start >= size) throw unsatisfiable();
  return { start, end: Math.min(end, size - 1) };
}

// ---------------------------------------------------------------------------------------------------------
// aws-chunked

interface DecodedBody {
  payload: Buffer;
  checksum?: { name: ChecksumName; value: string };
}

const incompleteBody = () => new S3Error('IncompleteBody', 400, 'The request body terminated unexpectedly');
const malformedTrailer = () =>
  new S3Error(
    'MalformedTrailerError',
    400,
    'The request contained trailing data that was not well-formed or did not conform to our published schema.',
  );

/**
 * Removes aws-chunked framing: `<hex-size>[;chunk-signature=..]\r\n<data>\r\n ... 0[;..]\r\n<trailers>\r\n`.
 */
export function decodeAwsChunked(
  raw: Buffer,
  minChunkSize = 0,
): { payload: Buffer; trailers: Map<string, string> } {
  const parts: Buffer[] = [];
  let pos = 0;
  let chunkNumber = 0;
  let previousSize = -1;
  for (;;) {
    const eol = raw.indexOf('\r\n', pos);
    if (eol < 0) throw incompleteBody();
    const sizeHex = (raw.toString('latin1', pos, eol).split(';')[0] ?? '').trim();
    pos = eol + 2;
    if (!/^[0-9a-fA-F]{1,15}$/.test(sizeHex)) throw incompleteBody();
    const size = Number.parseInt(sizeHex, 16);
    chunkNumber++;
    if (size > 0 && previousSize >= 0 && previousSize < minChunkSize) {
      // S3 reports the number of the chunk whose header revealed the short one before it.
      throw new S3Error(
        'InvalidChunkSizeError',
        400,
        `Only the last chunk is allowed to have a size less than ${minChunkSize} bytes`,
        { Chunk: chunkNumber, BadChunkSize: previousSize },
      );
    }
    if (size === 0) break;
    if (pos + size + 2 > raw.length) throw incompleteBody();
    parts.push(raw.subarray(pos, pos + size));
    pos += size;
    if (raw[pos] !== 13 || raw[pos + 1] !== 10) throw incompleteBody();
    pos += 2;
    previousSize = size;
  }
  const trailers = new Map<string, string>();
  while (pos < raw.length) {
    const eol = raw.indexOf('\r\n', pos);
    if (eol < 0) throw incompleteBody();
    const line = raw.toString('utf8', pos, eol);
    pos = eol + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformedTrailer();
    trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { payload: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts), trailers };
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

function checksumHeaderNames(req: IncomingMessage): string[] {
  return Object.keys(req.headers).filter(
    (h) =>
      h.startsWith('x-amz-checksum-') &&
      h !== 'x-amz-checksum-algorithm' &&
      h !== 'x-amz-checksum-type' &&
      h !== 'x-amz-checksum-mode',
  );
}

function verifyChecksumValue(name: string, value: string, where: string, payload: Buffer): ChecksumName {
  const alg = name.slice('x-amz-checksum-'.length);
  if (!isChecksumName(alg)) {
    throw new S3Error('InvalidRequest', 400, `Value for ${name} ${where} is invalid.`);
  }
  const raw = Buffer.from(value, 'base64');
  if (raw.length !== CHECKSUMS[alg].size || raw.toString('base64') !== value) {
    throw new S3Error('InvalidRequest', 400, `Value for ${name} ${where} is invalid.`);
  }
  if (computeChecksum(alg, payload) !== value) {
    throw new S3Error(
      'BadDigest',
      400,
      `The ${CHECKSUMS[alg].label} you specified did not match the calculated checksum.`,
    );
  }
  return alg;
}

function decodeBody(req: IncomingMessage, raw: Buffer, strictChunkSize: boolean): DecodedBody {
  const contentSha = header(req, 'x-amz-content-sha256') ?? '';
  const streaming = contentSha.startsWith('STREAMING-');
  let payload = raw;
  let trailers = new Map<string, string>();
  if (streaming) {
    const declared = header(req, 'x-amz-decoded-content-length');
    if (declared === undefined || !/^\d+$/.test(declared)) {
      throw new S3Error('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.');
    }
    ({ payload, trailers } = decodeAwsChunked(raw, strictChunkSize ? 8192 : 0));
    if (payload.length !== Number(declared)) {
      throw new S3Error(
        'IncompleteBody',
        400,
        'You did not provide the number of bytes specified by the Content-Length HTTP header',
      );
    }
  } else {
    if (header(req, 'content-length') === undefined && header(req, 'transfer-encoding') !== undefined) {
      throw new S3Error(
        'NotImplemented',
        501,
        'A header you provided implies functionality that is not implemented',
        { Header: 'Transfer-Encoding' },
      );
    }
    if (/^[0-9a-fA-F]{64}$/.test(contentSha)) {
      const computed = createHash('sha256').update(raw).digest('hex');
      if (computed !== contentSha.toLowerCase()) {
        throw new S3Error(
          'XAmzContentSHA256Mismatch',
          400,
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          { ClientComputedContentSHA256: contentSha, S3ComputedContentSHA256: computed },
        );
      }
    }
  }

  const md5 = header(req, 'content-md5');
  if (md5 !== undefined) {
    const rawMd5 = Buffer.from(md5, 'base64');
    if (rawMd5.length !== 16)
      throw new S3Error('InvalidDigest', 400, 'The Content-MD5 you specified was invalid.');
    if (!createHash('md5').update(payload).digest().equals(rawMd5)) {
      throw new S3Error('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.');
    }
  }

  const headerNames = checksumHeaderNames(req);
  const trailerName = header(req, 'x-amz-trailer')?.trim().toLowerCase();
  const sdkAlgorithm = header(req, 'x-amz-sdk-checksum-algorithm')?.toLowerCase();
  if (headerNames.length + (trailerName ? 1 : 0) > 1) {
    throw new S3Error(
      'InvalidRequest',
      400,
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  }
  let checksum: DecodedBody['checksum'];
  if (trailerName) {
    const value = trailers.get(trailerName);
    if (value === undefined) throw malformedTrailer();
    checksum = { name: verifyChecksumValue(trailerName, value, 'trailing header', payload), value };
  } else if (headerNames[0] !== undefined) {
    const value = header(req, headerNames[0]) ?? '';
    checksum = { name: verifyChecksumValue(headerNames[0], value, 'header', payload), value };
  } else if (sdkAlgorithm) {
    throw new S3Error(
      'InvalidRequest',
      400,
      'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
    );
  }
  if (checksum && sdkAlgorithm && sdkAlgorithm !== checksum.name) {
    throw new S3Error('InvalidRequest', 400, 'Value for x-amz-sdk-checksum-algorithm header is invalid.');
  }
  return { payload, checksum };
}

// ---------------------------------------------------------------------------------------------------------
// State kept beside the ObjectStore

interface ObjectMeta {
  /** The store's etag and lastModified when this metadata was written: stale metadata is ignored. */
  storeEtag: string;
  storeLastModified: number;
  etag: string;
  checksum?: { name: ChecksumName; value: string; type: 'FULL_OBJECT' | 'COMPOSITE' };
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  metadata: Record<string, string>;
  versionId?: string;
}

interface UploadedPart {
  body: Buffer;
  etag: string;
  md5: Buffer;
  lastModified: number;
  checksum?: { name: ChecksumName; value: string };
}

interface MultipartUpload {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  contentType: string;
  headers: Omit<ObjectMeta, 'storeEtag' | 'storeLastModified' | 'etag' | 'checksum' | 'versionId'>;
  checksumAlgorithm?: ChecksumName;
  checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  parts: Map<number, UploadedPart>;
}

type StoreWithExtras = ObjectStore & {
  delete?: (bucket: string, key: string) => void;
  keys?: (bucket: string) => string[];
};

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
  operation: string;
  region: string;
  requestId: string;
  hostId: string;
  body: Buffer;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send only this many bytes of the body, then destroy the connection (a transfer cut midway)... */
  cutAfter?: number;
  /** ...or keep it open, silent (a stalled transfer). */
  stall?: boolean;
}

export { mulberry32 };

const REQUEST_ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const requestId = (): string => {
  const bytes = randomBytes(16);
  let s = '';
  for (const b of bytes) s += REQUEST_ID_CHARS[b % REQUEST_ID_CHARS.length];
  return s;
};

const BUCKET_NAME = /^(?!\d+\.\d+\.\d+\.\d+$)(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const validBucketName = (name: string): boolean => BUCKET_NAME.test(name) && !name.includes('..');

const SUBRESOURCES_NOT_IMPLEMENTED = [
  'acl',
  'tagging',
  'versioning',
  'policy',
  'cors',
  'lifecycle',
  'website',
  'encryption',
  'location',
  'notification',
  'replication',
  'retention',
  'legal-hold',
  'object-lock',
  'attributes',
  'restore',
  'select',
  'versions',
  'logging',
  'accelerate',
  'requestPayment',
  'torrent',
  'ownershipControls',
  'publicAccessBlock',
];

function operationFor(
  method: string,
  bucket: string,
  key: string,
  q: URLSearchParams,
  req: IncomingMessage,
): string {
  if (!bucket) return method === 'GET' ? 'ListBuckets' : 'Unknown';
  if (SUBRESOURCES_NOT_IMPLEMENTED.some((s) => q.has(s))) return 'Unknown';
  if (!key) {
    if (method === 'PUT') return 'CreateBucket';
    if (method === 'HEAD') return 'HeadBucket';
    if (method === 'POST' && q.has('delete')) return 'DeleteObjects';
    if (method === 'GET') {
      if (q.has('uploads')) return 'Unknown';
      return q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    }
    return 'Unknown';
  }
  switch (method) {
    case 'PUT':
      if (q.has('uploadId') || q.has('partNumber')) {
        return req.headers['x-amz-copy-source'] ? 'Unknown' : 'UploadPart';
      }
      return req.headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
    case 'GET':
      return q.has('uploadId') ? 'ListParts' : 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'DELETE':
      return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'POST':
      if (q.has('uploads')) return 'CreateMultipartUpload';
      if (q.has('uploadId')) return 'CompleteMultipartUpload';
      return 'Unknown';
    default:
      return 'Unknown';
  }
}

function parseAddress(req: IncomingMessage): { bucket: string; key: string; query: URLSearchParams } {
  const url = new URL(req.url ?? '/', 'http://s3.local');
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const hostName = (req.headers.host ?? '').replace(/:\d+$/, '');
  const virtual = /^(.+)\.localhost$/.exec(hostName);
  if (virtual?.[1]) {
    return { bucket: virtual[1], key: decode(url.pathname.slice(1)), query: url.searchParams };
  }
  const path = url.pathname.slice(1);
  const slash = path.indexOf('/');
  const bucket = decode(slash < 0 ? path : path.slice(0, slash));
  const key = slash < 0 ? '' : decode(path.slice(slash + 1));
  return { bucket, key, query: url.searchParams };
}

/** The same number of bytes, every 97th inverted (the middle one among them): a corrupted transfer. */
function flipBytes(body: Buffer): Buffer {
  const flipped = Buffer.from(body);
  for (let i = Math.floor(flipped.length / 2) % 97; i < flipped.length; i += 97) {
    flipped[i] = (flipped[i] as number) ^ 0xff;
  }
  return flipped;
}

function regionOf(req: IncomingMessage): string {
  const auth = header(req, 'authorization') ?? '';
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\//.exec(auth);
  return m?.[1] ?? 'us-east-1';
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------------------

export function createS3Emulator(deps: S3EmulatorDeps): S3Emulator {
  const store = deps.store as StoreWithExtras;
  const faults: FaultOptions = {
    throttleRate: 0,
    errorRate: 0,
    dropRate: 0,
    latencyMs: 0,
    seed: 1,
    ...deps.faults,
  };
  const autoCreate = deps.autoCreateBuckets ?? false;
  const strictChunkSize = deps.strictChunkSize ?? true;
  const meta = new Map<string, ObjectMeta>();
  const uploads = new Map<string, MultipartUpload>();
  const bucketRegions = new Map<string, string>();
  const tampered = new Map<string, TamperMode>();
  const delays = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const pending = new Set<IncomingMessage>();
  let closed = false;
  let seededWith = faults.seed;
  let random = mulberry32(faults.seed);

  const metaKey = (bucket: string, key: string) => `${bucket}\u0000${key}`;

  const bucketExists = (bucket: string): boolean => store.listBuckets().includes(bucket);

  const requireBucket = (bucket: string): void => {
    if (!bucketExists(bucket)) {
      throw new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });
    }
  };

  const bucketForWrite = (bucket: string, region: string): void => {
    if (bucketExists(bucket)) return;
    // A bucket with an invalid name cannot exist, so it is not auto-created either.
    if (!autoCreate || !validBucketName(bucket)) requireBucket(bucket);
    store.createBucket(bucket);
    if (!bucketRegions.has(bucket)) bucketRegions.set(bucket, region);
  };

  const metaFor = (bucket: string, key: string): ObjectMeta | undefined => {
    const obj = store.getObject(bucket, key);
    const m = meta.get(metaKey(bucket, key));
    if (!obj || !m) return undefined;
    if (m.storeEtag !== obj.etag || m.storeLastModified !== obj.lastModified) return undefined;
    return m;
  };

  const getExisting = (bucket: string, key: string) => {
    requireBucket(bucket);
    const obj = store.getObject(bucket, key);
    if (!obj) throw new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });
    const m = metaFor(bucket, key);
    return { obj, meta: m, etag: m?.etag ?? obj.etag };
  };

  const newVersionId = (): string | undefined =>
    deps.versioning ? randomBytes(24).toString('base64url') : undefined;

  const writeObject = (
    bucket: string,
    key: string,
    body: Buffer,
    contentType: string,
    m: Omit<ObjectMeta, 'storeEtag' | 'storeLastModified'>,
  ): ObjectMeta => {
    store.putObject(bucket, key, body, contentType);
    const stored = store.getObject(bucket, key);
    const full: ObjectMeta = {
      ...m,
      storeEtag: stored?.etag ?? m.etag,
      storeLastModified: stored?.lastModified ?? Date.now(),
    };
    meta.set(metaKey(bucket, key), full);
    return full;
  };

  const headersMeta = (req: IncomingMessage): MultipartUpload['headers'] => {
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name.startsWith('x-amz-meta-') && value !== undefined) {
        metadata[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
      }
    }
    const encoding = (header(req, 'content-encoding') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && s.toLowerCase() !== 'aws-chunked')
      .join(',');
    return {
      contentEncoding: encoding || undefined,
      contentDisposition: header(req, 'content-disposition'),
      contentLanguage: header(req, 'content-language'),
      cacheControl: header(req, 'cache-control'),
      expires: header(req, 'expires'),
      metadata,
    };
  };

  const checksumHeaders = (c: { name: ChecksumName; value: string; type?: string } | undefined) => {
    const h: Record<string, string> = {};
    if (c) {
      h[`x-amz-checksum-${c.name}`] = c.value;
      if (c.type) h['x-amz-checksum-type'] = c.type;
    }
    return h;
  };

  const objectHeaders = (
    obj: { body: Buffer; contentType: string; lastModified: number },
    etag: string,
    m: ObjectMeta | undefined,
  ): Record<string, string> => {
    const h: Record<string, string> = {
      'last-modified': httpDate(obj.lastModified),
      etag,
      'accept-ranges': 'bytes',
      'content-type': obj.contentType,
      'x-amz-server-side-encryption': 'AES256',
    };
    if (deps.versioning) h['x-amz-version-id'] = m?.versionId ?? 'null';
    if (m?.contentEncoding) h['content-encoding'] = m.contentEncoding;
    if (m?.contentDisposition) h['content-disposition'] = m.contentDisposition;
    if (m?.contentLanguage) h['content-language'] = m.contentLanguage;
    if (m?.cacheControl) h['cache-control'] = m.cacheControl;
    if (m?.expires) h.expires = m.expires;
    for (const [k, v] of Object.entries(m?.metadata ?? {})) h[`x-amz-meta-${k}`] = v;
    return h;
  };

  // ------------------------------------------------------------------------------------------- operations

  const ops: Record<string, (c: Ctx) => Reply> = {
    ListBuckets: () => {
      const buckets = store
        .listBuckets()
        .map((b) => `<Bucket>${el('Name', b)}${el('CreationDate', isoSeconds(Date.now()))}</Bucket>`)
        .join('');
      return xmlReply(
        200,
        `<ListAllMyBucketsResult xmlns="${XMLNS}"><Owner>${el('ID', OWNER_ID)}</Owner><Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`,
      );
    },

    CreateBucket: (c) => {
      if (!validBucketName(c.bucket)) {
        throw new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', {
          BucketName: c.bucket,
        });
      }
      const location = xmlValue(c.body.toString('utf8'), 'LocationConstraint') || 'us-east-1';
      if (bucketExists(c.bucket)) {
        // us-east-1 answers 200 to its owner re-creating a bucket; other regions answer 409.
        if (location !== 'us-east-1') {
          throw new S3Error(
            'BucketAlreadyOwnedByYou',
            409,
            'Your previous request to create the named bucket succeeded and you already own it.',
            { BucketName: c.bucket },
          );
        }
      } else {
        store.createBucket(c.bucket);
        bucketRegions.set(c.bucket, location);
      }
      return { status: 200, headers: { location: `/${c.bucket}` } };
    },

    HeadBucket: (c) => {
      requireBucket(c.bucket);
      return {
        status: 200,
        headers: {
          'x-amz-bucket-region': bucketRegions.get(c.bucket) ?? c.region,
          'x-amz-access-point-alias': 'false',
        },
      };
    },

    PutObject: (c) => {
      if (Buffer.byteLength(c.key) > 1024) {
        throw new S3Error('KeyTooLongError', 400, 'Your key is too long', { Size: Buffer.byteLength(c.key) });
      }
      const decoded = decodeBody(c.req, c.body, strictChunkSize);
      bucketForWrite(c.bucket, c.region);
      checkWritePreconditions(c);
      const checksum = decoded.checksum ?? {
        name: 'crc64nvme' as const,
        value: computeChecksum('crc64nvme', decoded.payload),
      };
      const etag = md5Etag(decoded.payload);
      const m = writeObject(
        c.bucket,
        c.key,
        decoded.payload,
        header(c.req, 'content-type') ?? 'binary/octet-stream',
        {
          ...headersMeta(c.req),
          etag,
          checksum: { ...checksum, type: 'FULL_OBJECT' },
          versionId: newVersionId(),
        },
      );
      return {
        status: 200,
        headers: {
          etag,
          'x-amz-server-side-encryption': 'AES256',
          ...checksumHeaders(m.checksum),
          ...(m.versionId ? { 'x-amz-version-id': m.versionId } : {}),
        },
      };
    },

    CopyObject: (c) => {
      const source = header(c.req, 'x-amz-copy-source') ?? '';
      const [sourcePath = ''] = source.split('?');
      let decoded = sourcePath;
      try {
        decoded = decodeURIComponent(sourcePath);
      } catch {}
      decoded = decoded.replace(/^\//, '');
      const slash = decoded.indexOf('/');
      if (slash <= 0) {
        throw new S3Error(
          'InvalidArgument',
          400,
          'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
          {
            ArgumentName: 'x-amz-copy-source',
            ArgumentValue: source,
          },
        );
      }
      const src = getExisting(decoded.slice(0, slash), decoded.slice(slash + 1));
      bucketForWrite(c.bucket, c.region);
      const replace = header(c.req, 'x-amz-metadata-directive') === 'REPLACE';
      const body = Buffer.from(src.obj.body);
      const algorithm = header(c.req, 'x-amz-checksum-algorithm')?.toLowerCase();
      const checksumName: ChecksumName =
        algorithm && isChecksumName(algorithm) ? algorithm : (src.meta?.checksum?.name ?? 'crc64nvme');
      const checksum = {
        name: checksumName,
        value: computeChecksum(checksumName, body),
        type: 'FULL_OBJECT' as const,
      };
      const etag = md5Etag(body);
      const base: MultipartUpload['headers'] = replace ? headersMeta(c.req) : (src.meta ?? { metadata: {} });
      const contentType = replace
        ? (header(c.req, 'content-type') ?? 'binary/octet-stream')
        : src.obj.contentType;
      const m = writeObject(c.bucket, c.key, body, contentType, {
        contentEncoding: base.contentEncoding,
        contentDisposition: base.contentDisposition,
        contentLanguage: base.contentLanguage,
        cacheControl: base.cacheControl,
        expires: base.expires,
        metadata: base.metadata,
        etag,
        checksum,
        versionId: newVersionId(),
      });
      const stored = store.getObject(c.bucket, c.key);
      return xmlReply(
        200,
        `<CopyObjectResult>${el('ETag', etag)}${el('LastModified', isoSeconds(stored?.lastModified ?? Date.now()))}${el(`Checksum${CHECKSUMS[checksum.name].label}`, checksum.value)}${el('ChecksumType', 'FULL_OBJECT')}</CopyObjectResult>`,
        {
          'x-amz-server-side-encryption': 'AES256',
          ...(m.versionId ? { 'x-amz-version-id': m.versionId } : {}),
          ...(deps.versioning ? { 'x-amz-copy-source-version-id': src.meta?.versionId ?? 'null' } : {}),
        },
      );
    },

    GetObject: (c) => getOrHead(c, false),
    HeadObject: (c) => getOrHead(c, true),

    DeleteObject: (c) => {
      requireBucket(c.bucket);
      store.delete?.(c.bucket, c.key);
      meta.delete(metaKey(c.bucket, c.key));
      const headers: Record<string, string> = {};
      if (deps.versioning) {
        headers['x-amz-delete-marker'] = 'true';
        headers['x-amz-version-id'] = newVersionId() ?? 'null';
      }
      return { status: 204, headers };
    },

    DeleteObjects: (c) => {
      requireBucket(c.bucket);
      const xml = decodeBody(c.req, c.body, strictChunkSize).payload.toString('utf8');
      if (!/<Delete[\s>]/.test(xml)) {
        throw new S3Error(
          'MalformedXML',
          400,
          'The XML you provided was not well-formed or did not validate against our published schema',
        );
      }
      const quiet = xmlValue(xml, 'Quiet') === 'true';
      const deleted = xmlBlocks(xml, 'Object').map((o) => xmlValue(o, 'Key') ?? '');
      for (const key of deleted) {
        store.delete?.(c.bucket, key);
        meta.delete(metaKey(c.bucket, key));
      }
      const entries = quiet ? '' : deleted.map((k) => `<Deleted>${el('Key', k)}</Deleted>`).join('');
      return xmlReply(200, `<DeleteResult xmlns="${XMLNS}">${entries}</DeleteResult>`);
    },

    ListObjectsV2: (c) => list(c, 2),
    ListObjects: (c) => list(c, 1),

    CreateMultipartUpload: (c) => {
      bucketForWrite(c.bucket, c.region);
      const algorithm = header(c.req, 'x-amz-checksum-algorithm')?.toLowerCase();
      if (algorithm !== undefined && !isChecksumName(algorithm)) {
        throw new S3Error('InvalidRequest', 400, 'Checksum algorithm provided is unsupported.');
      }
      const requestedType = header(c.req, 'x-amz-checksum-type')?.toUpperCase();
      let checksumType: MultipartUpload['checksumType'];
      if (algorithm) {
        checksumType =
          requestedType === 'FULL_OBJECT' || requestedType === 'COMPOSITE'
            ? requestedType
            : algorithm === 'crc64nvme'
              ? 'FULL_OBJECT'
              : 'COMPOSITE';
        const full = checksumType === 'FULL_OBJECT';
        if ((full && algorithm.startsWith('sha')) || (!full && algorithm === 'crc64nvme')) {
          throw new S3Error(
            'InvalidRequest',
            400,
            `The ${checksumType} checksum type cannot be used with the ${algorithm} checksum algorithm.`,
          );
        }
      }
      const uploadId = randomBytes(48).toString('base64url');
      uploads.set(uploadId, {
        uploadId,
        bucket: c.bucket,
        key: c.key,
        initiated: Date.now(),
        contentType: header(c.req, 'content-type') ?? 'binary/octet-stream',
        headers: headersMeta(c.req),
        checksumAlgorithm: algorithm,
        checksumType,
        parts: new Map(),
      });
      const headers: Record<string, string> = { 'x-amz-server-side-encryption': 'AES256' };
      if (algorithm && checksumType) {
        headers['x-amz-checksum-algorithm'] = CHECKSUMS[algorithm].label;
        headers['x-amz-checksum-type'] = checksumType;
      }
      return xmlReply(
        200,
        `<InitiateMultipartUploadResult xmlns="${XMLNS}">${el('Bucket', c.bucket)}${el('Key', c.key)}${el('UploadId', uploadId)}</InitiateMultipartUploadResult>`,
        headers,
      );
    },

    UploadPart: (c) => {
      const upload = uploadFor(c);
      const partText = c.query.get('partNumber') ?? '';
      const partNumber = Number(partText);
      if (!/^\d+$/.test(partText) || partNumber < 1 || partNumber > 10000) {
        throw new S3Error(
          'InvalidArgument',
          400,
          'Part number must be an integer between 1 and 10000, inclusive',
          {
            ArgumentName: 'partNumber',
            ArgumentValue: partText,
          },
        );
      }
      const decoded = decodeBody(c.req, c.body, strictChunkSize);
      let checksum = decoded.checksum;
      if (upload.checksumAlgorithm) {
        if (checksum && checksum.name !== upload.checksumAlgorithm) {
          throw new S3Error(
            'InvalidRequest',
            400,
            `Checksum Type mismatch occurred, expected checksum Type: ${upload.checksumAlgorithm}, actual checksum Type: ${checksum.name}`,
          );
        }
        checksum ??= {
          name: upload.checksumAlgorithm,
          value: computeChecksum(upload.checksumAlgorithm, decoded.payload),
        };
      }
      const md5 = createHash('md5').update(decoded.payload).digest();
      const etag = `"${md5.toString('hex')}"`;
      upload.parts.set(partNumber, {
        body: Buffer.from(decoded.payload),
        etag,
        md5,
        lastModified: Date.now(),
        checksum,
      });
      return {
        status: 200,
        headers: { etag, 'x-amz-server-side-encryption': 'AES256', ...checksumHeaders(checksum) },
      };
    },

    CompleteMultipartUpload: (c) => {
      const upload = uploadFor(c);
      const xml = c.body.toString('utf8');
      const malformed = () =>
        new S3Error(
          'MalformedXML',
          400,
          'The XML you provided was not well-formed or did not validate against our published schema',
        );
      if (!/<CompleteMultipartUpload[\s>]/.test(xml)) throw malformed();
      const requested = xmlBlocks(xml, 'Part').map((p) => ({
        partNumber: Number(xmlValue(p, 'PartNumber')),
        etag: xmlValue(p, 'ETag') ?? '',
        checksums: Object.fromEntries(
          (Object.keys(CHECKSUMS) as ChecksumName[])
            .map((n) => [n, xmlValue(p, `Checksum${CHECKSUMS[n].label}`)] as const)
            .filter(([, v]) => v !== undefined),
        ) as Partial<Record<ChecksumName, string>>,
      }));
      if (requested.length === 0 || requested.some((p) => !Number.isInteger(p.partNumber))) throw malformed();
      const parts: UploadedPart[] = [];
      let previous = 0;
      for (const [i, p] of requested.entries()) {
        if (p.partNumber <= previous) {
          throw new S3Error(
            'InvalidPartOrder',
            400,
            'The list of parts was not in ascending order. Parts must be ordered by part number.',
            { UploadId: upload.uploadId },
          );
        }
        previous = p.partNumber;
        const part = upload.parts.get(p.partNumber);
        const invalidPart = () =>
          new S3Error(
            'InvalidPart',
            400,
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
            { UploadId: upload.uploadId, PartNumber: p.partNumber, ETag: p.etag },
          );
        if (!part || unquote(part.etag) !== unquote(p.etag)) throw invalidPart();
        if (upload.checksumAlgorithm && upload.checksumType === 'COMPOSITE') {
          const given = p.checksums[upload.checksumAlgorithm];
          if (given === undefined) {
            throw new S3Error(
              'InvalidRequest',
              400,
              `The upload was created using a ${upload.checksumAlgorithm} checksum. The complete request must include the checksum for each part. It was missing for part ${p.partNumber} in the request.`,
            );
          }
        }
        for (const [name, value] of Object.entries(p.checksums)) {
          if (part.checksum?.name === name && part.checksum.value !== value) throw invalidPart();
        }
        if (i < requested.length - 1 && part.body.length < MIN_PART_SIZE) {
          throw new S3Error(
            'EntityTooSmall',
            400,
            'Your proposed upload is smaller than the minimum allowed size',
            {
              ProposedSize: part.body.length,
              MinSizeAllowed: MIN_PART_SIZE,
              PartNumber: p.partNumber,
              ETag: unquote(part.etag),
            },
          );
        }
        parts.push(part);
      }
      const body = Buffer.concat(parts.map((p) => p.body));
      const etag = `"${createHash('md5')
        .update(Buffer.concat(parts.map((p) => p.md5)))
        .digest('hex')}-${parts.length}"`;
      let checksum: ObjectMeta['checksum'];
      const algorithm = upload.checksumAlgorithm;
      if (algorithm && upload.checksumType === 'COMPOSITE') {
        const raw = Buffer.concat(
          parts.map((p) => Buffer.from(p.checksum?.value ?? computeChecksum(algorithm, p.body), 'base64')),
        );
        checksum = {
          name: algorithm,
          value: `${computeChecksum(algorithm, raw)}-${parts.length}`,
          type: 'COMPOSITE',
        };
      } else {
        // FULL_OBJECT uploads, and (as S3 does since 2025) uploads created without an algorithm: CRC64NVME.
        const name = algorithm ?? 'crc64nvme';
        checksum = { name, value: computeChecksum(name, body), type: 'FULL_OBJECT' };
        const givenName = checksumHeaderNames(c.req)[0];
        if (givenName === `x-amz-checksum-${name}` && header(c.req, givenName) !== checksum.value) {
          throw new S3Error(
            'BadDigest',
            400,
            `The ${CHECKSUMS[name].label} you specified did not match the calculated checksum.`,
          );
        }
      }
      const m = writeObject(upload.bucket, upload.key, body, upload.contentType, {
        ...upload.headers,
        etag,
        checksum,
        versionId: newVersionId(),
      });
      uploads.delete(upload.uploadId);
      const host = c.req.headers.host ?? 's3.amazonaws.com';
      const location = `http://${host}/${encodeURIComponent(upload.bucket)}/${upload.key.split('/').map(encodeURIComponent).join('/')}`;
      return xmlReply(
        200,
        `<CompleteMultipartUploadResult xmlns="${XMLNS}">${el('Location', location)}${el('Bucket', upload.bucket)}${el('Key', upload.key)}${el('ETag', etag)}${el(`Checksum${CHECKSUMS[checksum.name].label}`, checksum.value)}${el('ChecksumType', checksum.type)}</CompleteMultipartUploadResult>`,
        {
          'x-amz-server-side-encryption': 'AES256',
          ...(m.versionId ? { 'x-amz-version-id': m.versionId } : {}),
        },
      );
    },

    AbortMultipartUpload: (c) => {
      const upload = uploadFor(c);
      uploads.delete(upload.uploadId);
      return { status: 204 };
    },

    ListParts: (c) => {
      const upload = uploadFor(c);
      const maxParts = Math.min(1000, Number(c.query.get('max-parts') ?? 1000) || 1000);
      const marker = Number(c.query.get('part-number-marker') ?? 0) || 0;
      const numbers = [...upload.parts.keys()].filter((n) => n > marker).sort((a, b) => a - b);
      const page = numbers.slice(0, maxParts);
      const truncated = numbers.length > page.length;
      const partsXml = page
        .map((n) => {
          const p = upload.parts.get(n) as UploadedPart;
          const sum = p.checksum ? el(`Checksum${CHECKSUMS[p.checksum.name].label}`, p.checksum.value) : '';
          return `<Part>${el('PartNumber', n)}${el('LastModified', isoSeconds(p.lastModified))}${el('ETag', p.etag)}${el('Size', p.body.length)}${sum}</Part>`;
        })
        .join('');
      const owner = `${el('ID', OWNER_ID)}`;
      return xmlReply(
        200,
        `<ListPartsResult xmlns="${XMLNS}">${el('Bucket', upload.bucket)}${el('Key', upload.key)}${el('UploadId', upload.uploadId)}${el('PartNumberMarker', marker)}${el('NextPartNumberMarker', page.at(-1) ?? marker)}${el('MaxParts', maxParts)}${el('IsTruncated', truncated)}${partsXml}<Initiator>${owner}</Initiator><Owner>${owner}</Owner>${el('StorageClass', 'STANDARD')}${upload.checksumAlgorithm ? el('ChecksumAlgorithm', CHECKSUMS[upload.checksumAlgorithm].label) + el('ChecksumType', upload.checksumType) : ''}</ListPartsResult>`,
      );
    },
  };

  function xmlReply(status: number, xml: string, headers: Record<string, string> = {}): Reply {
    return { status, headers: { 'content-type': 'application/xml', ...headers }, body: XML_DECL + xml };
  }

  function uploadFor(c: Ctx): MultipartUpload {
    requireBucket(c.bucket);
    const uploadId = c.query.get('uploadId') ?? '';
    const upload = uploads.get(uploadId);
    if (!upload || upload.bucket !== c.bucket || upload.key !== c.key) {
      throw new S3Error(
        'NoSuchUpload',
        404,
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
        { UploadId: uploadId },
      );
    }
    return upload;
  }

  function checkWritePreconditions(c: Ctx): void {
    const ifNoneMatch = header(c.req, 'if-none-match');
    const ifMatch = header(c.req, 'if-match');
    if (ifNoneMatch === undefined && ifMatch === undefined) return;
    const existing = store.getObject(c.bucket, c.key);
    const etag = existing ? (metaFor(c.bucket, c.key)?.etag ?? existing.etag) : undefined;
    if (ifNoneMatch?.trim() === '*' && existing) {
      throw new S3Error(
        'PreconditionFailed',
        412,
        'At least one of the pre-conditions you specified did not hold',
        {
          Condition: 'If-None-Match',
        },
      );
    }
    if (ifMatch !== undefined) {
      if (!etag) throw new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: c.key });
      if (ifMatch.trim() !== '*' && unquote(ifMatch) !== unquote(etag)) {
        throw new S3Error(
          'PreconditionFailed',
          412,
          'At least one of the pre-conditions you specified did not hold',
          {
            Condition: 'If-Match',
          },
        );
      }
    }
  }

  function getOrHead(c: Ctx, head: boolean): Reply {
    const { obj, meta: m, etag } = getExisting(c.bucket, c.key);
    const versionId = c.query.get('versionId');
    if (versionId !== null && versionId !== (m?.versionId ?? 'null')) {
      throw new S3Error('NoSuchVersion', 404, 'The specified version does not exist.', {
        Key: c.key,
        VersionId: versionId,
      });
    }
    const headers = objectHeaders(obj, etag, m);

    // Conditional requests (RFC 7232 order, as S3 applies them).
    const ifMatch = header(c.req, 'if-match');
    const ifNoneMatch = header(c.req, 'if-none-match');
    const ifModifiedSince = header(c.req, 'if-modified-since');
    const ifUnmodifiedSince = header(c.req, 'if-unmodified-since');
    const lastModifiedSec = Math.floor(obj.lastModified / 1000) * 1000;
    const etagMatches = (list: string) =>
      list.split(',').some((e) => e.trim() === '*' || unquote(e) === unquote(etag));
    const failed = (condition: string) =>
      new S3Error(
        'PreconditionFailed',
        412,
        'At least one of the pre-conditions you specified did not hold',
        {
          Condition: condition,
        },
      );
    if (ifMatch !== undefined && !etagMatches(ifMatch)) throw failed('If-Match');
    if (ifMatch === undefined && ifUnmodifiedSince !== undefined) {
      const t = Date.parse(ifUnmodifiedSince);
      if (!Number.isNaN(t) && lastModifiedSec > t) throw failed('If-Unmodified-Since');
    }
    const notModified = (): Reply => ({
      status: 304,
      headers: { etag, 'last-modified': headers['last-modified'] as string },
    });
    if (ifNoneMatch !== undefined) {
      if (etagMatches(ifNoneMatch)) return notModified();
    } else if (ifModifiedSince !== undefined) {
      const t = Date.parse(ifModifiedSince);
      if (!Number.isNaN(t) && lastModifiedSec <= t) return notModified();
    }

    // response-* overrides (presigned URLs).
    for (const name of [
      'content-type',
      'content-language',
      'expires',
      'cache-control',
      'content-disposition',
      'content-encoding',
    ]) {
      const v = c.query.get(`response-${name}`);
      if (v !== null) headers[name] = v;
    }

    const size = obj.body.length;
    const range = parseRange(header(c.req, 'range'), size);
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
      headers['content-length'] = String(range.end - range.start + 1);
      return { status: 206, headers, body: head ? undefined : obj.body.subarray(range.start, range.end + 1) };
    }
    if (header(c.req, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED') {
      // An object written straight into the store has the checksum S3 computes by default.
      const checksum = m?.checksum ?? {
        name: 'crc64nvme' as const,
        value: computeChecksum('crc64nvme', obj.body),
        type: 'FULL_OBJECT' as const,
      };
      Object.assign(headers, checksumHeaders(checksum));
    }
    headers['content-length'] = String(size);
    if (head) return { status: 200, headers };
    const mode = tampered.get(metaKey(c.bucket, c.key));
    if (mode === 'truncate' || mode === 'stall') {
      return {
        status: 200,
        headers,
        body: obj.body,
        cutAfter: Math.floor(size / 2),
        stall: mode === 'stall',
      };
    }
    if (mode === 'flip') return { status: 200, headers, body: flipBytes(obj.body) };
    return { status: 200, headers, body: obj.body };
  }

  function list(c: Ctx, version: 1 | 2): Reply {
    requireBucket(c.bucket);
    const q = c.query;
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const encodingType = q.get('encoding-type') ?? undefined;
    if (encodingType !== undefined && encodingType !== 'url') {
      throw new S3Error('InvalidArgument', 400, 'Invalid Encoding Method specified in Request', {
        ArgumentName: 'encoding-type',
        ArgumentValue: encodingType,
      });
    }
    const maxKeysText = q.get('max-keys');
    if (maxKeysText !== null && !/^\d+$/.test(maxKeysText)) {
      throw new S3Error('InvalidArgument', 400, 'Provided max-keys not an integer or within integer range', {
        ArgumentName: 'max-keys',
        ArgumentValue: maxKeysText,
      });
    }
    const maxKeys = Math.min(1000, maxKeysText === null ? 1000 : Number(maxKeysText));
    const enc = (s: string) => (encodingType === 'url' ? encodeURIComponent(s).replace(/%2F/g, '/') : s);

    let after: string | undefined;
    let skipPrefix: string | undefined;
    const token = q.get('continuation-token');
    const startAfter = q.get('start-after') ?? undefined;
    const marker = q.get('marker') ?? undefined;
    if (version === 2) {
      if (token !== null) {
        try {
          const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {
            k: unknown;
            p: unknown;
          };
          if (typeof parsed.k !== 'string') throw new Error('bad token');
          after = parsed.k;
          if (parsed.p === true) skipPrefix = parsed.k;
        } catch {
          throw new S3Error('InvalidArgument', 400, 'The continuation token provided is incorrect', {
            ArgumentName: 'continuation-token',
          });
        }
      } else {
        after = startAfter;
      }
    } else {
      after = marker;
      if (marker && delimiter && marker.endsWith(delimiter)) skipPrefix = marker;
    }

    const contents: string[] = [];
    const prefixes: string[] = [];
    let last: { k: string; p: boolean } | undefined;
    let truncated = false;
    let lastPrefix: string | undefined;
    const keys = store.keys ? store.keys(c.bucket) : [];
    for (const key of keys) {
      if (!key.startsWith(prefix)) continue;
      if (after !== undefined && compareKeys(key, after) <= 0) continue;
      if (skipPrefix !== undefined && key.startsWith(skipPrefix)) continue;
      let commonPrefix: string | undefined;
      if (delimiter) {
        const i = key.indexOf(delimiter, prefix.length);
        if (i >= 0) commonPrefix = key.slice(0, i + delimiter.length);
      }
      if (commonPrefix !== undefined && commonPrefix === lastPrefix) continue;
      if (contents.length + prefixes.length >= maxKeys) {
        truncated = maxKeys > 0;
        break;
      }
      if (commonPrefix !== undefined) {
        prefixes.push(commonPrefix);
        lastPrefix = commonPrefix;
        last = { k: commonPrefix, p: true };
      } else {
        contents.push(key);
        last = { k: key, p: false };
      }
    }

    const contentsXml = contents
      .map((key) => {
        const obj = store.getObject(c.bucket, key);
        const m = metaFor(c.bucket, key);
        const sum = m?.checksum
          ? el('ChecksumAlgorithm', CHECKSUMS[m.checksum.name].label) + el('ChecksumType', m.checksum.type)
          : '';
        const owner =
          q.get('fetch-owner') === 'true' || version === 1 ? `<Owner>${el('ID', OWNER_ID)}</Owner>` : '';
        return `<Contents>${el('Key', enc(key))}${el('LastModified', isoSeconds(obj?.lastModified ?? 0))}${el('ETag', m?.etag ?? obj?.etag ?? '')}${sum}${el('Size', obj?.body.length ?? 0)}${owner}${el('StorageClass', 'STANDARD')}</Contents>`;
      })
      .join('');
    const prefixesXml = prefixes
      .map((p) => `<CommonPrefixes>${el('Prefix', enc(p))}</CommonPrefixes>`)
      .join('');
    let head = `${el('Name', c.bucket)}${el('Prefix', enc(prefix))}`;
    if (version === 2) {
      const next = truncated && last ? Buffer.from(JSON.stringify(last)).toString('base64') : undefined;
      head +=
        (token !== null ? el('ContinuationToken', token) : '') +
        (startAfter !== undefined ? el('StartAfter', enc(startAfter)) : '') +
        el('KeyCount', contents.length + prefixes.length) +
        el('MaxKeys', maxKeys) +
        (delimiter ? el('Delimiter', enc(delimiter)) : '') +
        (encodingType ? el('EncodingType', encodingType) : '') +
        el('IsTruncated', truncated) +
        (next ? el('NextContinuationToken', next) : '');
    } else {
      head +=
        el('Marker', enc(marker ?? '')) +
        (truncated && delimiter && last ? el('NextMarker', enc(last.k)) : '') +
        el('MaxKeys', maxKeys) +
        (delimiter ? el('Delimiter', enc(delimiter)) : '') +
        (encodingType ? el('EncodingType', encodingType) : '') +
        el('IsTruncated', truncated);
    }
    return xmlReply(
      200,
      `<ListBucketResult xmlns="${XMLNS}">${head}${contentsXml}${prefixesXml}</ListBucketResult>`,
    );
  }

  // ------------------------------------------------------------------------------------------- dispatch

  function send(c: Ctx, reply: Reply): void {
    const { res } = c;
    const head = c.method === 'HEAD';
    const body =
      reply.body === undefined
        ? undefined
        : Buffer.isBuffer(reply.body)
          ? reply.body
          : Buffer.from(reply.body);
    const headers: Record<string, string> = {
      'x-amz-request-id': c.requestId,
      'x-amz-id-2': c.hostId,
      server: 'AmazonS3',
      ...reply.headers,
    };
    if (headers['content-length'] === undefined) headers['content-length'] = String(body?.length ?? 0);
    res.writeHead(reply.status, headers);
    if (head || reply.status === 204 || reply.status === 304 || !body) res.end();
    else if (reply.cutAfter !== undefined) {
      res.write(body.subarray(0, reply.cutAfter), () => {
        if (!reply.stall) res.destroy();
      });
    } else res.end(body);
  }

  function fail(c: Ctx, err: S3Error): void {
    if (c.method === 'HEAD') {
      // HEAD answers carry no body: the SDK names the error after the status (NotFound, Forbidden...).
      send(c, { status: err.status });
      return;
    }
    send(c, {
      status: err.status,
      headers: { 'content-type': 'application/xml' },
      body: errorXml(err, c.requestId, c.hostId),
    });
  }

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  async function process(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const { bucket, key, query } = parseAddress(req);
    const operation = operationFor(method, bucket, key, query, req);
    const region = regionOf(req);
    const c: Ctx = {
      req,
      res,
      method,
      bucket,
      key,
      query,
      operation,
      region,
      requestId: requestId(),
      hostId: randomBytes(48).toString('base64'),
      body: Buffer.alloc(0),
    };
    let recorded = false;
    const record = (status: number) => {
      if (recorded) return;
      recorded = true;
      const checksumMode = header(req, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED';
      deps.record({
        service: 's3',
        operation,
        region,
        time: started,
        status,
        detail: key || undefined,
        ...(checksumMode ? { checksumMode } : {}),
      });
    };
    pending.add(req);
    res.on('finish', () => record(res.statusCode));
    res.on('close', () => {
      pending.delete(req);
      record(res.writableFinished ? res.statusCode : 0);
    });

    c.body = await readBody(req);
    if (faults.latencyMs > 0) await delay(faults.latencyMs);
    const held = delays.get(operation) ?? 0;
    if (held === Number.POSITIVE_INFINITY) return; // never answered; close() destroys the socket
    if (held > 0) await delay(held);
    if (closed) {
      req.socket.destroy();
      return;
    }

    const subject = !faults.operations || faults.operations.includes(operation);
    const rates = faults.dropRate + faults.throttleRate + faults.errorRate;
    if (subject && rates > 0) {
      if (faults.seed !== seededWith) {
        seededWith = faults.seed;
        random = mulberry32(faults.seed);
      }
      const r = random();
      if (r < faults.dropRate) {
        req.socket.destroy();
        return;
      }
      if (r < faults.dropRate + faults.throttleRate) {
        fail(c, new S3Error('SlowDown', 503, 'Please reduce your request rate.'));
        return;
      }
      if (r < rates) {
        fail(c, new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.'));
        return;
      }
    }

    const op = ops[operation];
    if (!op) {
      fail(
        c,
        new S3Error('NotImplemented', 501, `The S3 emulator does not implement ${method} ${req.url ?? ''}`),
      );
      return;
    }
    try {
      send(c, op(c));
    } catch (err) {
      if (err instanceof S3Error) fail(c, err);
      else throw err;
    }
  }

  return {
    store,
    faults,
    tamper(bucket, key, mode) {
      if (mode === undefined) tampered.delete(metaKey(bucket, key));
      else tampered.set(metaKey(bucket, key), mode);
    },
    delay(operation, ms) {
      if (ms > 0) delays.set(operation, ms);
      else delays.delete(operation);
    },
    pendingMultipartUploads() {
      return [...uploads.values()].map((upload) => ({
        bucket: upload.bucket,
        key: upload.key,
        uploadId: upload.uploadId,
        parts: upload.parts.size,
      }));
    },
    handle(req, res) {
      if (closed) {
        req.socket.destroy();
        return;
      }
      process(req, res).catch((err: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end(
          `${XML_DECL}<Error><Code>InternalError</Code><Message>${escapeXml(message)}</Message><RequestId>${requestId()}</RequestId></Error>`,
        );
      });
    },
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const req of pending) req.socket.destroy();
      pending.clear();
      uploads.clear();
    },
  };
}

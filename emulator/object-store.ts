// In-memory object store shared by the S3 emulator and the SageMaker emulator (compiled artifacts).
import { createHash } from 'node:crypto';
import type { ObjectStore } from './types.ts';

interface StoredObject {
  body: Buffer;
  etag: string;
  contentType: string;
  lastModified: number;
}

export interface MemoryObjectStore extends ObjectStore {
  /** Removes one object; a missing object or bucket is not an error (as S3's DeleteObject). */
  delete(bucket: string, key: string): void;
  /** The bucket's keys in S3 list order (ascending UTF-8 byte order); [] for a missing bucket. */
  keys(bucket: string): string[];
  /** Drops every bucket and object. */
  reset(): void;
}

/** S3 lists keys in ascending order of their UTF-8 bytes (which differs from UTF-16 order for astral characters). */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function md5Etag(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

export function createObjectStore(): MemoryObjectStore {
  const buckets = new Map<string, Map<string, StoredObject>>();

  const bucketFor = (bucket: string): Map<string, StoredObject> => {
    let objects = buckets.get(bucket);
    if (!objects) {
      objects = new Map();
      buckets.set(bucket, objects);
    }
    return objects;
  };

  return {
    putObject(bucket, key, body, contentType) {
      const etag = md5Etag(body);
      // Putting into a bucket that does not exist creates it: the SageMaker emulator writes artifacts
      // to whatever OutputConfig.S3OutputLocation names.
      bucketFor(bucket).set(key, {
        body: Buffer.from(body),
        etag,
        contentType: contentType ?? 'application/octet-stream',
        lastModified: Date.now(),
      });
      return { etag };
    },
    getObject(bucket, key) {
      const found = buckets.get(bucket)?.get(key);
      if (!found) return undefined;
      return {
        body: found.body,
        etag: found.etag,
        contentType: found.contentType,
        lastModified: found.lastModified,
      };
    },
    listBuckets() {
      return [...buckets.keys()].sort(compareKeys);
    },
    createBucket(bucket) {
      bucketFor(bucket);
    },
    delete(bucket, key) {
      buckets.get(bucket)?.delete(key);
    },
    keys(bucket) {
      const objects = buckets.get(bucket);
      return objects ? [...objects.keys()].sort(compareKeys) : [];
    },
    reset() {
      buckets.clear();
    },
  };
}

import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ObjectStorage } from '../../src/aws/s3.ts';
import {
  manifestUris,
  measureArtifactSizes,
  readBaselineManifest,
  writeRunManifest,
} from '../../src/run/artifact-sizes.ts';
import { buildRunManifest } from '../../src/run/history.ts';
import type { S3Location } from '../../src/s3-uri.ts';
import type { JobState } from '../../src/types.ts';

/** An in-memory bucket behind the ObjectStorage port; `denied` keys answer 403. */
function memoryStorage(denied: string[] = []): ObjectStorage & { objects: Map<string, Buffer> } {
  const objects = new Map<string, Buffer>();
  const id = ({ bucket, key }: S3Location) => `${bucket}/${key}`;
  return {
    objects,
    async head(location) {
      if (denied.includes(id(location)))
        return { ok: false, reason: 'forbidden', message: `${id(location)} denied` };
      const body = objects.get(id(location));
      return body
        ? { ok: true, head: { size: body.length, etag: '"x"' } }
        : { ok: false, reason: 'missing', message: 'missing' };
    },
    async download() {
      throw new Error('not used');
    },
    async upload(location, body: Readable | Buffer) {
      objects.set(id(location), body as Buffer);
      return {};
    },
    async openRead() {
      throw new Error('not used');
    },
    async readRange(location, first, last) {
      return (objects.get(id(location)) ?? Buffer.alloc(0)).subarray(first, last + 1);
    },
    async listPrefix(location) {
      const prefix = id(location);
      return {
        ok: true,
        objects: [...objects]
          .filter(([key]) => key.startsWith(prefix))
          .map(([key, body]) => ({ key, size: body.length })),
      };
    },
  };
}

const job = (
  target: string,
  kind: JobState['kind'],
  artifact: string,
  status: JobState['status'] = 'COMPLETED',
): JobState => ({
  target,
  kind,
  region: 'us-west-2',
  device: 'jetson_nano',
  jobName: `neo-${target}`,
  status,
  artifact,
});

describe('measureArtifactSizes', () => {
  it('heads compilation artifacts and sums optimization prefixes; failed jobs have no size', async () => {
    const storage = memoryStorage();
    storage.objects.set('out/jetson/model-jetson_nano.tar.gz', Buffer.alloc(1234));
    storage.objects.set('out/llm/a.safetensors', Buffer.alloc(100));
    storage.objects.set('out/llm/config.json', Buffer.alloc(20));
    const sizes = await measureArtifactSizes(
      [
        job('jetson', 'compilation', 's3://out/jetson/model-jetson_nano.tar.gz'),
        job('llm', 'optimization', 's3://out/llm'),
        job('broken', 'compilation', 's3://out/broken.tar.gz', 'FAILED'),
        job('gone', 'compilation', 's3://out/gone.tar.gz'),
      ],
      storage,
    );
    expect(sizes.get('jetson')).toEqual({ size: 1234 });
    expect(sizes.get('llm')).toEqual({ size: 120 });
    expect(sizes.has('broken')).toBe(false);
    expect(sizes.get('gone')).toMatchObject({ error: expect.any(String) });
  });
});

describe('history manifests', () => {
  const manifest = buildRunManifest([{ job: job('jetson', 'compilation', 's3://out/j.tar.gz'), size: 5 }], {
    sha: 'a1b2c3d',
    refName: 'main',
    eventName: 'push',
    now: 0,
  });

  it('writes the commit and ref manifests on push, and a PR reads the base commit first, then the branch', async () => {
    const storage = memoryStorage();
    const uris = manifestUris('s3://hist/neo/', 'a1b2c3d', 'main', true);
    expect(uris).toEqual(['s3://hist/neo/commits/a1b2c3d.json', 's3://hist/neo/refs/main.json']);
    expect(await writeRunManifest(storage, uris, manifest)).toEqual([]);
    const byCommit = await readBaselineManifest(storage, 's3://hist/neo/', { sha: 'a1b2c3d', ref: 'main' });
    expect(byCommit).toMatchObject({ found: true, kind: 'commit', manifest: { commit: 'a1b2c3d' } });
    const byRef = await readBaselineManifest(storage, 's3://hist/neo/', { sha: 'fffffff', ref: 'main' });
    expect(byRef).toMatchObject({ found: true, kind: 'ref', uri: 's3://hist/neo/refs/main.json' });
  });

  it('a missing, denied or foreign manifest is a note, never a baseline', async () => {
    const storage = memoryStorage(['hist/neo/refs/main.json']);
    storage.objects.set('hist/neo/commits/bad.json', Buffer.from('{"format":"someone-else"}'));
    const lookup = await readBaselineManifest(storage, 's3://hist/neo/', { sha: 'bad', ref: 'main' });
    expect(lookup.found).toBe(false);
    if (!lookup.found) {
      expect(lookup.notes[0]).toContain('not usable');
      expect(lookup.notes[1]).toContain('no manifest');
    }
    expect(manifestUris('s3://hist/neo/', 'abc', 'main', false)).toHaveLength(1);
  });
});

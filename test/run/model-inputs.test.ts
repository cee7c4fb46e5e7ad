import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ObjectStorage } from '../../src/aws/s3.ts';
import { localModelKey } from '../../src/plan/plan.ts';
import {
  contentAddressedUri,
  type ModelInputRef,
  packDirectory,
  prepareModelInputs,
} from '../../src/run/model-inputs.ts';
import type { S3Location } from '../../src/s3-uri.ts';

function modelDir(weights: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'model-'));
  mkdirSync(path.join(dir, 'code'));
  writeFileSync(path.join(dir, 'model.pth'), weights);
  writeFileSync(path.join(dir, 'code/inference.py'), 'def model_fn(d): pass\n');
  return dir;
}

async function pack(dir: string): Promise<Buffer> {
  const archive = path.join(mkdtempSync(path.join(tmpdir(), 'archive-')), 'model.tar.gz');
  await packDirectory(dir, archive);
  return readFileSync(archive);
}

describe('packDirectory', () => {
  it('gives the same bytes for the same files, whatever their timestamps', async () => {
    const a = modelDir('weights');
    const b = modelDir('weights');
    utimesSync(path.join(b, 'model.pth'), new Date('2001-01-01'), new Date('2001-01-01'));
    const first = await pack(a);
    expect(first.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect((await pack(b)).equals(first)).toBe(true);
  });

  it('gives different bytes when a file changes', async () => {
    expect((await pack(modelDir('weights v2'))).equals(await pack(modelDir('weights v1')))).toBe(false);
  });
});

describe('contentAddressedUri', () => {
  it('puts the model under its sha256 and keeps its name', () => {
    expect(contentAddressedUri('s3://b/uploads', 'models/resnet50.tar.gz', 'ab12')).toBe(
      's3://b/uploads/ab12/resnet50.tar.gz',
    );
    expect(contentAddressedUri('s3://b/uploads/', 'models/resnet50/', 'ab12')).toBe(
      's3://b/uploads/ab12/resnet50.tar.gz',
    );
  });
});

describe('prepareModelInputs with one path in several regions', () => {
  /** Records uploads; an object counts as present once uploaded. */
  function fakeStorage() {
    const objects = new Map<string, Buffer>();
    const uploads: string[] = [];
    const storage = {
      async head({ bucket, key }: S3Location) {
        return objects.has(`${bucket}/${key}`)
          ? { ok: true as const, head: { etag: '"e"' } }
          : { ok: false as const, reason: 'missing' as const, message: 'missing' };
      },
      async upload({ bucket, key }: S3Location, body: Readable | Buffer) {
        const chunks: Buffer[] = [];
        for await (const chunk of body as Readable) chunks.push(chunk as Buffer);
        objects.set(`${bucket}/${key}`, Buffer.concat(chunks));
        uploads.push(`s3://${bucket}/${key}`);
        return {};
      },
    } as unknown as ObjectStorage;
    return { storage, objects, uploads };
  }
  const refs = (localPath: string): ModelInputRef[] => [
    {
      kind: 'path',
      path: localPath,
      uploadTo: 's3://models-us-west-2/in/',
      positions: [{ line: 4, col: 9 }],
      targets: ['a'],
    },
    {
      kind: 'path',
      path: localPath,
      uploadTo: 's3://models-eu-west-1/in/',
      positions: [{ line: 4, col: 9 }],
      targets: ['b', 'c'],
    },
  ];

  it('uploads the same bytes once per upload-to, under the same content address, and skips them next time', async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'ws-'));
    const model = gzipSync(Buffer.from('weights'));
    writeFileSync(path.join(workspace, 'model.tar.gz'), model);
    const sha256 = createHash('sha256').update(model).digest('hex');
    const { storage, objects, uploads } = fakeStorage();
    const options = { workspace, configFile: 'neo.yml', offline: false };

    const first = await prepareModelInputs(refs('model.tar.gz'), storage, options);
    expect(first.errors).toEqual([]);
    const west = `s3://models-us-west-2/in/${sha256}/model.tar.gz`;
    const eu = `s3://models-eu-west-1/in/${sha256}/model.tar.gz`;
    expect(first.inputUris).toEqual({
      [localModelKey('model.tar.gz', 's3://models-us-west-2/in/')]: west,
      [localModelKey('model.tar.gz', 's3://models-eu-west-1/in/')]: eu,
    });
    expect(first.identity).toEqual({ [west]: `sha256:${sha256}`, [eu]: `sha256:${sha256}` });
    expect(uploads.sort()).toEqual([eu, west]);
    for (const bytes of objects.values()) expect(bytes.equals(model)).toBe(true);

    const second = await prepareModelInputs(refs('model.tar.gz'), storage, options);
    expect(second.uploads.map((upload) => upload.skipped)).toEqual([true, true]);
    expect(uploads).toHaveLength(2);
  });

  it('reports a problem of the path once, naming the targets of every upload-to', async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'ws-'));
    const { storage, uploads } = fakeStorage();
    const result = await prepareModelInputs(refs('missing.tar.gz'), storage, {
      workspace,
      configFile: 'neo.yml',
      offline: false,
    });
    expect(result.errors).toEqual([
      expect.objectContaining({
        line: 4,
        col: 9,
        title: 'Model path not found',
        message: expect.stringMatching(/\(used by a, b, c\)$/),
      }),
    ]);
    expect(uploads).toEqual([]);
  });

  it('says an upload was cancelled when the run was', async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'ws-'));
    writeFileSync(path.join(workspace, 'model.tar.gz'), gzipSync(Buffer.from('weights')));
    const cancel = new AbortController();
    const storage = {
      head: async () => ({ ok: false, reason: 'missing', message: 'missing' }),
      upload: async () => {
        cancel.abort();
        throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
      },
    } as unknown as ObjectStorage;
    const result = await prepareModelInputs(refs('model.tar.gz').slice(0, 1), storage, {
      workspace,
      configFile: 'neo.yml',
      offline: false,
      signal: cancel.signal,
    });
    expect(result.errors).toEqual([expect.objectContaining({ title: 'Upload cancelled' })]);
  });
});

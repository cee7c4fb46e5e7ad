import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentAddressedUri, packDirectory } from '../../src/run/model-inputs.ts';

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

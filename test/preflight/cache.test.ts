// Targets sharing a model and re-runs cost one read of the archive.
import { describe, expect, it } from 'vitest';
import { createPreflightCache } from '../../src/preflight/cache.ts';
import { onnxModel, packArchive, streamOf } from './model-fixtures.ts';

const ETAG = '"9b2cf535f27731c974343645a3985328"';

async function onnxArchive(): Promise<Buffer> {
  return packArchive({ 'model.onnx': onnxModel([{ name: 'images', dims: [1, 3, 640, 640] }]) });
}

describe('createPreflightCache', () => {
  it('reads a model shared by several targets once, judging each data-input-config on its own', async () => {
    const archive = await onnxArchive();
    const cache = createPreflightCache();
    let opened = 0;
    const open = () => {
      opened += 1;
      return streamOf(archive);
    };
    const [good, wrong] = await Promise.all([
      cache.inspect(ETAG, open, { framework: 'ONNX', dataInputConfig: { images: [1, 3, 640, 640] } }),
      cache.inspect(ETAG, open, { framework: 'ONNX', dataInputConfig: { image: [1, 3, 640, 640] } }),
    ]);
    const again = await cache.inspect(ETAG, open, {
      framework: 'ONNX',
      dataInputConfig: { images: [1, 3, 640, 640] },
    });
    expect(opened).toBe(1);
    expect(cache.reads).toBe(1);
    expect(good.summary).toBe('model.onnx: ONNX (opset 13), images [1,3,640,640] ✓');
    expect(wrong.findings.map((finding) => finding.code)).toEqual(['input-unknown']);
    expect(again).toEqual(good);
  });

  it('answers a re-run from a snapshot without reading, and nothing for an unknown identity', async () => {
    const first = createPreflightCache();
    const archive = await onnxArchive();
    await first.inspect(ETAG, () => streamOf(archive), { framework: 'ONNX' });
    const rerun = createPreflightCache(JSON.parse(JSON.stringify(first.snapshot())));
    const result = rerun.get(ETAG, { framework: 'ONNX', dataInputConfig: { images: [1, 3, 640, 640] } });
    expect(result?.summary).toBe('model.onnx: ONNX (opset 13), images [1,3,640,640] ✓');
    expect(rerun.reads).toBe(0);
    expect(rerun.get('"another-etag"', { framework: 'ONNX' })).toBeUndefined();
    // The same bytes checked as another framework are read again (other files matter).
    expect(rerun.get(ETAG, { framework: 'TFLITE' })).toBeUndefined();
  });

  it('does not keep a read that failed, so the next call reads again', async () => {
    const cache = createPreflightCache();
    const archive = await onnxArchive();
    const failing = () => {
      const stream = streamOf(archive.subarray(0, 100));
      return stream;
    };
    const cut = await cache.inspect(ETAG, failing, { framework: 'ONNX' });
    expect(cut.findings.some((finding) => finding.code === 'archive-unreadable')).toBe(true);
    const whole = await cache.inspect(ETAG, () => streamOf(archive), { framework: 'ONNX' });
    expect(whole.findings).toEqual([]);
    expect(cache.reads).toBe(2);
  });
});

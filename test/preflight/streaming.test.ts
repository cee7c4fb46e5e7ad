// The preflight streams: a model far larger than what it may hold passes through with live memory growing by a
// fraction of its size (a quarter at most; the archive is generated lazily, so the test holds no copy either).
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createGzip } from 'node:zlib';
import { zipSync } from 'fflate';
import { Header } from 'tar';
import { describe, expect, it } from 'vitest';
import { inspectModelArchive } from '../../src/preflight/inspect-archive.ts';
import { onnxRoot } from '../../src/preflight/onnx-schema.ts';
import { PICKLES } from './model-fixtures.ts';

const MIB = 1024 * 1024;
const ZEROS = new Uint8Array(MIB);

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

/** An ONNX ModelProto with one initializer of `weightMiB` MiB before the graph input, as parts to stream. */
function* onnxParts(weightMiB: number): Generator<Uint8Array> {
  const tensorHead = onnxRoot
    .lookupType('onnx.TensorProto')
    .encode({ name: 'conv.weight', dims: [weightMiB * MIB], data_type: 2 })
    .finish();
  const rawHead = Uint8Array.from([0x4a, ...varint(weightMiB * MIB)]);
  const tensorLength = tensorHead.length + rawHead.length + weightMiB * MIB;
  const GraphProto = onnxRoot.lookupType('onnx.GraphProto');
  const inputs = GraphProto.encode(
    GraphProto.fromObject({
      input: [
        {
          name: 'images',
          type: {
            tensor_type: { elem_type: 1, shape: { dim: [1, 3, 640, 640].map((d) => ({ dim_value: d })) } },
          },
        },
      ],
    }),
  ).finish();
  const initializerHead = Uint8Array.from([0x2a, ...varint(tensorLength)]);
  const graphLength = initializerHead.length + tensorLength + inputs.length;
  yield Uint8Array.from([0x08, 0x07, 0x3a, ...varint(graphLength)]);
  yield initializerHead;
  yield tensorHead;
  yield rawHead;
  for (let index = 0; index < weightMiB; index++) yield ZEROS;
  yield inputs;
}

/** A tar of one file `name` made of `parts` (`size` bytes), as a lazily generated stream. */
function* tarParts(name: string, size: number, parts: Iterable<Uint8Array>): Generator<Uint8Array> {
  const header = new Header({ path: name, size, type: 'File', mode: 0o644, mtime: new Date(0) });
  const block = Buffer.alloc(512);
  header.encode(block, 0);
  yield block;
  yield* parts;
  yield new Uint8Array((512 - (size % 512)) % 512);
  yield new Uint8Array(1024);
}

// A full collection before each sample, so what is measured is memory held, not garbage awaiting collection.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Peak growth of live Buffer memory (arrayBuffers) and heap while `run` goes. */
async function peakGrowth(run: () => Promise<unknown>): Promise<number> {
  const usage = () => {
    collectGarbage();
    return process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
  };
  const start = usage();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, usage());
  }, 250);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, usage()) - start;
}

describe('streaming', () => {
  it('reads the inputs of a 256 MiB ONNX model while holding far less than the model', async () => {
    const weightMiB = 256;
    let size = 0;
    for (const part of onnxParts(weightMiB)) size += part.length;
    const archive = Readable.from(tarParts('model.onnx', size, onnxParts(weightMiB))).pipe(
      createGzip({ level: 1 }),
    );
    let summary = '';
    const growth = await peakGrowth(async () => {
      const result = await inspectModelArchive(archive, {
        framework: 'ONNX',
        dataInputConfig: { images: [1, 3, 640, 640] },
      });
      summary = result.summary;
    });
    expect(summary).toBe('model.onnx: ONNX, images [1,3,640,640] ✓');
    expect(growth).toBeLessThan(64 * MIB);
  });

  it('lists a 256 MiB TorchScript zip without holding its tensors', async () => {
    const weightMiB = 256;
    // A stored zip whose large tensor entry is streamed: local header from fflate for the small entries, then the
    // big entry's header with its sizes (as PyTorch's writer puts them), then its bytes, then the small entries.
    const small = zipSync(
      { 'model/data.pkl': PICKLES.torchScriptModule, 'model/code/__torch__.py': new Uint8Array(8) },
      { level: 0 },
    );
    const centralStart = small.findIndex(
      (_, index) =>
        small[index] === 0x50 &&
        small[index + 1] === 0x4b &&
        small[index + 2] === 1 &&
        small[index + 3] === 2,
    );
    const name = Buffer.from('model/data/0');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(weightMiB * MIB, 18);
    local.writeUInt32LE(weightMiB * MIB, 22);
    local.writeUInt16LE(name.length, 26);
    function* zipParts(): Generator<Uint8Array> {
      yield small.subarray(0, centralStart);
      yield local;
      yield name;
      for (let index = 0; index < weightMiB; index++) yield ZEROS;
      yield small.subarray(centralStart);
    }
    let size = 0;
    for (const part of zipParts()) size += part.length;
    const archive = Readable.from(tarParts('model.pth', size, zipParts())).pipe(createGzip({ level: 1 }));
    let summary = '';
    const growth = await peakGrowth(async () => {
      summary = (await inspectModelArchive(archive, { framework: 'PYTORCH' })).summary;
    });
    expect(summary).toBe('model.pth: TorchScript ✓');
    expect(growth).toBeLessThan(64 * MIB);
  });
});

describe('reclaim', () => {
  it('is called after every 4 MiB of unpacked archive, so the shell can free the buffers read so far', async () => {
    const weightMiB = 32;
    let size = 0;
    for (const part of onnxParts(weightMiB)) size += part.length;
    const archive = Readable.from(tarParts('model.onnx', size, onnxParts(weightMiB))).pipe(
      createGzip({ level: 1 }),
    );
    let calls = 0;
    const result = await inspectModelArchive(
      archive,
      { framework: 'ONNX', dataInputConfig: { images: [1, 3, 640, 640] } },
      { reclaim: () => calls++ },
    );
    expect(result.summary).toBe('model.onnx: ONNX, images [1,3,640,640] ✓');
    // 32 MiB of model plus the tar framing: one call per whole 4 MiB read.
    expect(calls).toBe(Math.floor((size + 512) / (4 * MIB)));
  });

  it('is not called for a model smaller than 4 MiB', async () => {
    let size = 0;
    for (const part of onnxParts(1)) size += part.length;
    const archive = Readable.from(tarParts('model.onnx', size, onnxParts(1))).pipe(createGzip({ level: 1 }));
    let calls = 0;
    await inspectModelArchive(archive, { framework: 'ONNX' }, { reclaim: () => calls++ });
    expect(calls).toBe(0);
  });
});

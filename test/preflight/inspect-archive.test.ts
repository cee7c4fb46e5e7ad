// The model preflight against real (generated) model archives: each check has a passing and a failing archive.
import { createReadStream, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { c as createTar } from 'tar';
import { describe, expect, it } from 'vitest';
import { inspectModelArchive } from '../../src/preflight/inspect-archive.ts';
import { forwardSignature, readPickleTop } from '../../src/preflight/pytorch.ts';
import type { PreflightResult } from '../../src/preflight/types.ts';
import {
  type ArchiveFiles,
  hdf5Head,
  LEGACY_TORCH_SAVE,
  mxnetSymbol,
  onnxModel,
  PICKLES,
  packArchive,
  streamOf,
  tfliteModel,
  torchSaveZip,
  torchScriptZip,
} from './model-fixtures.ts';

async function preflight(
  files: ArchiveFiles,
  framework: string,
  dataInputConfig?: unknown,
  options: { gzip?: boolean } = {},
): Promise<PreflightResult> {
  const archive = await packArchive(files, options);
  return inspectModelArchive(streamOf(archive), { framework, dataInputConfig });
}

const IMAGES = [{ name: 'images', dims: [1, 3, 640, 640] }];

const codes = (result: PreflightResult) =>
  result.findings.map((finding) => `${finding.severity}:${finding.code}`);
const finding = (result: PreflightResult, code: string) => {
  const found = result.findings.find((item) => item.code === code);
  if (!found) throw new Error(`no ${code} in ${JSON.stringify(result.findings)}`);
  return found;
};

describe('PyTorch archives', () => {
  it('passes a TorchScript archive (torch.jit.save layout) with one line naming the inputs', async () => {
    const result = await preflight({ 'model.pth': torchScriptZip() }, 'PYTORCH', {
      input0: [1, 3, 224, 224],
    });
    expect(result.findings).toEqual([]);
    expect(result.summary).toBe('model.pth: TorchScript, input0 [1,3,224,224] ✓');
  });

  it('stops a state_dict (OrderedDict in data.pkl, no code/) with the torch.jit.trace fix', async () => {
    const result = await preflight({ 'model.pth': torchSaveZip(PICKLES.stateDict) }, 'PYTORCH', {
      input0: [1, 3, 224, 224],
    });
    expect(codes(result)).toEqual(['error:pytorch-state-dict']);
    const error = finding(result, 'pytorch-state-dict');
    expect(error.message).toContain('state_dict');
    expect(error.message).toContain('torch.jit.trace(model, example).save("model.pth")');
    expect(error.message).toContain('model/data.pkl');
    expect(result.summary).toBe('model.pth: state_dict, input0 [1,3,224,224] ✗');
  });

  it('stops a checkpoint dict saved with torch.save', async () => {
    const result = await preflight({ 'model.pt': torchSaveZip(PICKLES.checkpoint, 'archive') }, 'PYTORCH');
    expect(codes(result)).toEqual(['error:pytorch-state-dict']);
    expect(finding(result, 'pytorch-state-dict').message).toContain('checkpoint');
  });

  it('warns (does not stop) on a whole pickled nn.Module and on a legacy non-zip pickle', async () => {
    const module = await preflight({ 'model.pth': torchSaveZip(PICKLES.pickledModule) }, 'PYTORCH');
    expect(codes(module)).toEqual(['warning:pytorch-pickled-module']);
    expect(finding(module, 'pytorch-pickled-module').message).toContain('__main__.Net');
    const legacy = await preflight({ 'model.pth': LEGACY_TORCH_SAVE }, 'PYTORCH');
    expect(codes(legacy)).toEqual(['warning:pytorch-legacy-pickle']);
    expect(legacy.summary).toBe('model.pth: legacy pickle ⚠');
  });

  it('warns on a model file nested in a folder, with the repack command', async () => {
    const result = await preflight({ 'resnet/model.pth': torchScriptZip() }, 'PYTORCH');
    expect(codes(result)).toEqual(['warning:layout-nested']);
    expect(finding(result, 'layout-nested').message).toContain('tar -C resnet -czf model.tar.gz .');
  });

  it('stops two candidate model files and a missing one, saying what the archive holds', async () => {
    const two = await preflight(
      { 'model.pth': torchScriptZip(), 'best.pt': torchScriptZip('best') },
      'PYTORCH',
    );
    expect(codes(two)).toEqual(['error:layout-ambiguous']);
    expect(finding(two, 'layout-ambiguous').message).toMatch(
      /2 candidates .*best\.pt.*model\.pth|model\.pth.*best\.pt/,
    );
    const none = await preflight({ 'weights.bin': new Uint8Array(10), 'README.md': 'hi' }, 'PYTORCH');
    expect(codes(none)).toEqual(['error:layout-missing']);
    expect(finding(none, 'layout-missing').message).toContain('README.md (2 B), weights.bin (10 B)');
  });

  it("checks the number of data-input-config inputs against the TorchScript forward's parameters", async () => {
    const list = await preflight({ 'model.pth': torchScriptZip() }, 'PYTORCH', [[1, 3, 224, 224]]);
    expect(list.summary).toBe('model.pth: TorchScript, [1,3,224,224] ✓');
    const two = await preflight({ 'model.pth': torchScriptZip() }, 'PYTORCH', {
      input0: [1, 3, 224, 224],
      input1: [1, 3, 224, 224],
    });
    expect(codes(two)).toEqual(['warning:input-count']);
    expect(finding(two, 'input-count').message).toContain(
      'gives 2 inputs, but the forward of model.pth takes 1 (x)',
    );
  });

  it('reads forward signatures with optional and nested-type parameters', () => {
    const source = `class Detector(Module):\n  def forward(self: __torch__.models.Detector,\n    images: Tensor,\n    sizes: Tuple[int, int],\n    mask: Optional[Tensor]=None) -> Tensor:\n    return images\n`;
    const sources = new Map([['code/__torch__/models.py', [Buffer.from(source)]]]);
    expect(forwardSignature({ module: '__torch__.models', name: 'Detector' }, sources)).toEqual({
      params: ['images', 'sizes', 'mask'],
      required: 2,
    });
  });

  it('warns (does not stop) when the model file is a symbolic link in the archive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'preflight-link-'));
    try {
      writeFileSync(join(dir, 'real.bin'), torchScriptZip());
      symlinkSync('real.bin', join(dir, 'model.pth'));
      const file = join(dir, 'model.tar.gz');
      await createTar({ gzip: true, cwd: dir, file, portable: true }, ['model.pth']);
      const result = await inspectModelArchive(createReadStream(file), { framework: 'PYTORCH' });
      expect(codes(result)).toEqual(['warning:layout-link']);
      expect(finding(result, 'layout-link').message).toContain('tar -h');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores macOS AppleDouble files beside the model', async () => {
    const result = await preflight(
      { 'model.pth': torchScriptZip(), '._model.pth': new Uint8Array(4) },
      'PYTORCH',
    );
    expect(result.findings).toEqual([]);
  });
});

describe('ONNX archives', () => {
  const images = [{ name: 'images', dims: [1, 3, 640, 640] }];

  it('passes when data-input-config matches the graph inputs (initializers excluded)', async () => {
    const onnx = onnxModel(images, { initializerAsInput: true });
    const result = await preflight({ 'model.onnx': onnx }, 'ONNX', { images: [1, 3, 640, 640] });
    expect(result.findings).toEqual([]);
    expect(result.summary).toBe('model.onnx: ONNX (opset 13), images [1,3,640,640] ✓');
  });

  it('accepts the JSON string form and fills open dimensions', async () => {
    const onnx = onnxModel([{ name: 'images', dims: ['batch', 3, 640, 640] }]);
    const result = await preflight({ 'model.onnx': onnx }, 'ONNX', '{"images": [4, 3, 640, 640]}');
    expect(result.findings).toEqual([]);
    expect(result.summary).toBe('model.onnx: ONNX (opset 13), images [4,3,640,640] ✓');
  });

  it('stops an unknown input name with "did you mean" when the real input is left without a size', async () => {
    const open = onnxModel([{ name: 'images', dims: ['batch', 3, 640, 640] }]);
    const result = await preflight({ 'model.onnx': open }, 'ONNX', { image: [1, 3, 640, 640] });
    expect(codes(result)).toEqual(['error:input-unknown']);
    const error = finding(result, 'input-unknown');
    expect(error.inputName).toBe('image');
    expect(error.message).toContain('did you mean images?');
    expect(error.message).toContain('images [batch,3,640,640] float32');
  });

  it('only warns on an unknown name when the model fixes every size of its input (Neo uses those)', async () => {
    const result = await preflight({ 'model.onnx': onnxModel(images) }, 'ONNX', { image: [1, 3, 640, 640] });
    expect(codes(result)).toEqual(['warning:input-unknown']);
    expect(finding(result, 'input-unknown').message).toContain('did you mean images?');
  });

  it('warns on an extra key when every model input is named, saying to remove it', async () => {
    const result = await preflight({ 'model.onnx': onnxModel(images) }, 'ONNX', {
      images: [1, 3, 640, 640],
      image: [1, 3, 640, 640],
    });
    expect(codes(result)).toEqual(['warning:input-unknown']);
    expect(finding(result, 'input-unknown').message).toContain('remove this key');
    expect(finding(result, 'input-unknown').message).not.toContain('did you mean');
  });

  it('warns on a model input data-input-config leaves out', async () => {
    const onnx = onnxModel([...images, { name: 'scale', dims: [1], elemType: 7 }]);
    const result = await preflight({ 'model.onnx': onnx }, 'ONNX', { images: [1, 3, 640, 640] });
    expect(codes(result)).toEqual(['warning:input-missing']);
    expect(finding(result, 'input-missing').inputName).toBe('scale');
    expect(finding(result, 'input-missing').message).toContain('scale [1] int64');
  });

  it('stops a shape of another rank', async () => {
    const result = await preflight({ 'model.onnx': onnxModel(images) }, 'ONNX', { images: [3, 640, 640] });
    expect(codes(result)).toEqual(['error:input-rank']);
    expect(finding(result, 'input-rank').message).toContain('Write images: [1,3,640,640]');
  });

  it('warns on an NHWC shape for an NCHW model, naming the layout', async () => {
    const result = await preflight({ 'model.onnx': onnxModel(images) }, 'ONNX', { images: [1, 640, 640, 3] });
    expect(codes(result)).toEqual(['warning:input-shape']);
    const warning = finding(result, 'input-shape');
    expect(warning.inputName).toBe('images');
    expect(warning.message).toContain('wrong layout (ONNX expects NCHW)');
  });

  it('reads the inputs behind several MiB of weights streamed in small chunks', async () => {
    const onnx = onnxModel(images, { weightBytes: 6 * 1024 * 1024 });
    const archive = await packArchive({ 'model.onnx': onnx });
    const result = await inspectModelArchive(streamOf(archive, 4096), {
      framework: 'ONNX',
      dataInputConfig: { images: [1, 3, 640, 640] },
    });
    expect(result.summary).toBe('model.onnx: ONNX (opset 13), images [1,3,640,640] ✓');
  });

  it('warns when the .onnx file is not a model', async () => {
    const result = await preflight({ 'model.onnx': new Uint8Array(0) }, 'ONNX');
    expect(codes(result)).toEqual(['warning:onnx-no-graph']);
  });
});

describe('TFLite archives', () => {
  it('passes matching NHWC inputs, open dimensions from shape_signature', async () => {
    const tflite = tfliteModel([
      { name: 'input', shape: [1, 224, 224, 3], shapeSignature: [-1, 224, 224, 3] },
    ]);
    const result = await preflight({ 'model.tflite': tflite }, 'TFLITE', { input: [1, 224, 224, 3] });
    expect(result.findings).toEqual([]);
    expect(result.summary).toBe('model.tflite: TFLite, input [1,224,224,3] ✓');
  });

  it('stops an unknown input name (open batch size) and warns on an NCHW shape', async () => {
    const tflite = tfliteModel([
      { name: 'serving_default_input:0', shape: [1, 224, 224, 3], shapeSignature: [-1, 224, 224, 3] },
    ]);
    const unknown = await preflight({ 'model.tflite': tflite }, 'TFLITE', { input: [1, 224, 224, 3] });
    expect(codes(unknown)).toEqual(['error:input-unknown']);
    expect(finding(unknown, 'input-unknown').message).toContain(
      'serving_default_input:0 [?,224,224,3] float32',
    );
    const nchw = await preflight({ 'model.tflite': tflite }, 'TFLITE', {
      'serving_default_input:0': [1, 3, 224, 224],
    });
    expect(codes(nchw)).toEqual(['warning:input-shape']);
    expect(finding(nchw, 'input-shape').message).toContain('TFLITE expects NHWC');
  });

  it('stops a file without the TFL3 identifier', async () => {
    const result = await preflight(
      { 'model.tflite': tfliteModel([{ name: 'x', shape: [1] }], 'ABCD') },
      'TFLITE',
    );
    expect(codes(result)).toEqual(['error:tflite-identifier']);
    expect(finding(result, 'tflite-identifier').message).toContain('"ABCD"');
  });
});

describe('Keras, MXNet, TensorFlow, DARKNET, XGBoost archives', () => {
  it('Keras: passes an HDF5 file, stops a Keras 3 zip named .h5', async () => {
    expect((await preflight({ 'model.h5': hdf5Head() }, 'KERAS')).summary).toBe('model.h5: HDF5 ✓');
    const zip = await preflight({ 'model.h5': torchScriptZip() }, 'KERAS');
    expect(codes(zip)).toEqual(['error:keras-not-hdf5']);
    expect(finding(zip, 'keras-not-hdf5').message).toContain('model.save("model.h5")');
  });

  it('MXNet: passes symbol + params with the data input named, warns when it is not', async () => {
    const files = { 'model-symbol.json': mxnetSymbol(), 'model-0000.params': new Uint8Array(16) };
    const good = await preflight(files, 'MXNET', { data: [1, 3, 224, 224] });
    expect(good.findings).toEqual([]);
    expect(good.summary).toBe('model-symbol.json: MXNet symbol, data [1,3,224,224]; model-0000.params ✓');
    const wrong = await preflight(files, 'MXNET', { dta: [1, 3, 224, 224] });
    expect(codes(wrong)).toEqual(['warning:input-unknown']);
    expect(finding(wrong, 'input-unknown').message).toContain('did you mean data?');
    const noParams = await preflight({ 'model-symbol.json': mxnetSymbol() }, 'MXNET');
    expect(codes(noParams)).toEqual(['error:layout-missing']);
    expect(finding(noParams, 'layout-missing').message).toContain('parameter file (.params)');
  });

  it('TensorFlow: passes a SavedModel and a frozen graph, stops a SavedModel without variables/', async () => {
    const savedModel = {
      'saved_model.pb': new Uint8Array(100),
      'fingerprint.pb': new Uint8Array(8),
      'variables/variables.index': new Uint8Array(10),
      'variables/variables.data-00000-of-00001': new Uint8Array(10),
    };
    expect((await preflight(savedModel, 'TENSORFLOW')).findings).toEqual([]);
    expect((await preflight({ 'frozen.pb': new Uint8Array(100) }, 'TENSORFLOW')).findings).toEqual([]);
    const noVariables = await preflight({ 'saved_model.pb': new Uint8Array(100) }, 'TENSORFLOW');
    expect(codes(noVariables)).toEqual(['error:tensorflow-no-variables']);
    const empty = await preflight({ ...savedModel, 'saved_model.pb': new Uint8Array(0) }, 'TENSORFLOW');
    expect(codes(empty)).toEqual(['error:tensorflow-empty-graph']);
  });

  it('DARKNET needs one .cfg and one .weights; XGBoost one model file', async () => {
    expect((await preflight({ 'yolo.cfg': 'x', 'yolo.weights': 'y' }, 'DARKNET')).findings).toEqual([]);
    expect(codes(await preflight({ 'yolo.cfg': 'x' }, 'DARKNET'))).toEqual(['error:layout-missing']);
    expect((await preflight({ 'model.json': '{}' }, 'XGBOOST')).findings).toEqual([]);
    expect(codes(await preflight({ 'a.json': '{}', 'b.json': '{}' }, 'XGBOOST'))).toEqual([
      'warning:layout-ambiguous',
    ]);
  });
});

describe('the archive itself', () => {
  it('stops a model file uploaded without tar.gz packing', async () => {
    const result = await inspectModelArchive(streamOf(torchScriptZip()), { framework: 'PYTORCH' });
    expect(codes(result)).toEqual(['error:archive-not-targz']);
    expect(finding(result, 'archive-not-targz').message).toContain('-czf model.tar.gz');
    expect(result.summary).toBe('model archive: not a .tar.gz ✗');
  });

  it('warns about a model file gzipped without tar (almost surely wrong, never a false error)', async () => {
    const result = await inspectModelArchive(streamOf(gzipSync(torchScriptZip())), { framework: 'PYTORCH' });
    expect(codes(result)).toEqual(['warning:archive-not-targz']);
    expect(finding(result, 'archive-not-targz').message).toContain(
      'gzip-compressed but holds no tar archive',
    );
  });

  it('warns on an uncompressed tar and on an archive cut short', async () => {
    const plain = await preflight({ 'model.pth': torchScriptZip() }, 'PYTORCH', undefined, { gzip: false });
    expect(codes(plain)).toEqual(['warning:archive-not-gzip']);
    const whole = await packArchive(
      { 'model.pth': torchScriptZip(), 'extra.txt': 'x'.repeat(5000) },
      { gzip: false },
    );
    const cut = gzipSync(whole).subarray(0, 200);
    const result = await inspectModelArchive(streamOf(cut), { framework: 'PYTORCH' });
    expect(result.findings.some((item) => item.severity === 'error')).toBe(false);
    expect(codes(result)).toContain('warning:archive-unreadable');
  });

  it('stops a stalled download when the signal aborts', async () => {
    const archive = await packArchive({ 'model.onnx': onnxModel(IMAGES) }, { gzip: false });
    const stalled = new Readable({ read() {} });
    stalled.push(archive.subarray(0, 700));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('run cancelled')), 20);
    await expect(
      inspectModelArchive(stalled, { framework: 'ONNX' }, { signal: controller.signal }),
    ).rejects.toThrow('run cancelled');
  });

  it('stops reading when the signal aborts', async () => {
    const archive = await packArchive({ 'model.onnx': onnxModel([{ name: 'x', dims: [1] }]) });
    const controller = new AbortController();
    controller.abort(new Error('run cancelled'));
    await expect(
      inspectModelArchive(streamOf(archive), { framework: 'ONNX' }, { signal: controller.signal }),
    ).rejects.toThrow('run cancelled');
  });
});

describe('reading failures', () => {
  it('reports a stream that fails in the middle of a model file as a warning, without waiting forever', async () => {
    const archive = await packArchive(
      { 'model.onnx': onnxModel(IMAGES, { weightBytes: 256 * 1024 }) },
      { gzip: false },
    );
    const broken = new Readable({ read() {} });
    broken.push(archive.subarray(0, 1024));
    setTimeout(() => broken.destroy(new Error('socket hang up')), 20);
    const result = await inspectModelArchive(broken, { framework: 'onnx' });
    expect(result.findings.some((item) => item.severity === 'error')).toBe(false);
    expect(finding(result, 'archive-unreadable').message).toContain('socket hang up');
  });

  it('reads the top object of a protocol-4 pickle (torch.save with pickle_protocol=4)', () => {
    const frame = '\x95\x20\x00\x00\x00\x00\x00\x00\x00';
    const pickle = Buffer.from(
      `\x80\x04${frame}\x8c\x0bcollections\x94\x8c\x0bOrderedDict\x94\x93\x94)R\x94.`,
      'latin1',
    );
    expect(readPickleTop(pickle)).toEqual({ kind: 'global', module: 'collections', name: 'OrderedDict' });
  });
});

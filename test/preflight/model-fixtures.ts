// Small real model files, generated at test time from the official formats (no Python here):
// - PyTorch zips with the entry layout torch.save / torch.jit.save write (see src/preflight/pytorch.ts for where
//   the layout was read), stored entries like PyTorch's writer, and real protocol-2 pickles in data.pkl;
// - ONNX ModelProtos encoded with protobufjs from the onnx.proto subset;
// - TFLite flatbuffers built with the flatbuffers Builder per tensorflow/lite/schema/schema.fbs;
// - an HDF5 file head, an MXNet symbol JSON;
// packed as `tar -C dir -czf model.tar.gz .` does, with the tar package.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { zipSync } from 'fflate';
import { Builder } from 'flatbuffers';
import { c as createTar } from 'tar';
import { onnxRoot } from '../../src/preflight/onnx-schema.ts';

const latin1 = (text: string): Uint8Array => Buffer.from(text, 'latin1');

/** Real protocol-2 pickles, as torch.save's pickler writes the top object (tensors left out: not read). */
export const PICKLES = {
  // collections.OrderedDict() : PROTO 2, GLOBAL, BINPUT 0, EMPTY_TUPLE, REDUCE, BINPUT 1, STOP
  stateDict: latin1('\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01.'),
  // {"epoch": 3}: PROTO 2, EMPTY_DICT, BINPUT 0, BINUNICODE "epoch", BINPUT 1, BININT1 3, SETITEM, STOP
  checkpoint: latin1('\x80\x02}q\x00X\x05\x00\x00\x00epochq\x01K\x03s.'),
  // A scripted module's data.pkl: GLOBAL __torch__.Net, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, BUILD, STOP
  torchScriptModule: latin1('\x80\x02c__torch__\nNet\nq\x00)\x81}q\x01b.'),
  // torch.save(model) of a plain nn.Module subclass defined in a script
  pickledModule: latin1('\x80\x02c__main__\nNet\nq\x00)\x81}q\x01b.'),
};

const FLOAT_STORAGE = new Uint8Array(64);

/** code/__torch__.py of a traced module __torch__.Net as torch.jit.save writes it (forward takes x). */
export const TORCHSCRIPT_SOURCE = `class Net(Module):
  __parameters__ = ["weight", ]
  __buffers__ = []
  weight : Tensor
  training : bool
  def forward(self: __torch__.Net,
    x: Tensor) -> Tensor:
    weight = self.weight
    return torch.matmul(x, weight)
`;

/** torch.jit.save(traced, "model.pth"): archive folder named after the file stem. */
export function torchScriptZip(archive = 'model'): Uint8Array {
  return zipSync(
    {
      [`${archive}/data.pkl`]: PICKLES.torchScriptModule,
      [`${archive}/code/__torch__.py`]: Buffer.from(TORCHSCRIPT_SOURCE),
      [`${archive}/code/__torch__.py.debug_pkl`]: latin1('\x80\x02).'),
      [`${archive}/constants.pkl`]: latin1('\x80\x02).'),
      [`${archive}/data/0`]: FLOAT_STORAGE,
      [`${archive}/version`]: Buffer.from('3\n'),
      [`${archive}/.data/version`]: Buffer.from('3\n'),
    },
    { level: 0 },
  );
}

/** torch.save(obj, "model.pth") with the zip format (PyTorch >= 1.6). */
export function torchSaveZip(pickle: Uint8Array, archive = 'model'): Uint8Array {
  return zipSync(
    {
      [`${archive}/data.pkl`]: pickle,
      [`${archive}/byteorder`]: Buffer.from('little'),
      [`${archive}/data/0`]: FLOAT_STORAGE,
      [`${archive}/version`]: Buffer.from('3\n'),
      [`${archive}/.data/serialization_id`]: Buffer.from('1234567890'),
    },
    { level: 0 },
  );
}

/** torch.save before 1.6: a bare pickle stream (magic number as a LONG1, as torch's legacy writer starts). */
export const LEGACY_TORCH_SAVE = latin1('\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.');

export interface OnnxInputSpec {
  name: string;
  dims: (number | string)[];
  elemType?: number;
}

/** An ONNX model with the given graph inputs, a weight initializer of `weightBytes` and opset 13. */
export function onnxModel(
  inputs: OnnxInputSpec[],
  options: { weightBytes?: number; initializerAsInput?: boolean } = {},
): Uint8Array {
  const ModelProto = onnxRoot.lookupType('onnx.ModelProto');
  const weightBytes = options.weightBytes ?? 1024;
  const valueInfo = (spec: OnnxInputSpec) => ({
    name: spec.name,
    type: {
      tensor_type: {
        elem_type: spec.elemType ?? 1,
        shape: {
          dim: spec.dims.map((dim) => (typeof dim === 'number' ? { dim_value: dim } : { dim_param: dim })),
        },
      },
    },
  });
  const graphInputs = inputs.map(valueInfo);
  // IR < 4 exporters also listed each initializer among the graph inputs.
  if (options.initializerAsInput) graphInputs.push(valueInfo({ name: 'conv.weight', dims: [8, 3, 3, 3] }));
  const model = ModelProto.fromObject({
    ir_version: 7,
    producer_name: 'preflight-test',
    opset_import: [{ domain: '', version: 13 }],
    graph: {
      name: 'main',
      node: [
        { input: [inputs[0]?.name ?? 'x', 'conv.weight'], output: ['y'], op_type: 'Conv', name: 'conv' },
      ],
      initializer: [
        { name: 'conv.weight', dims: [8, 3, 3, 3], data_type: 1, raw_data: new Uint8Array(weightBytes) },
      ],
      input: graphInputs,
      output: [valueInfo({ name: 'y', dims: [1, 8, 222, 222] })],
    },
  });
  return ModelProto.encode(model).finish();
}

export interface TfliteTensorSpec {
  name: string;
  shape: number[];
  /** TensorType: 0 float32, 3 uint8, 9 int8. */
  type?: number;
  shapeSignature?: number[];
}

/** A TFLite model whose main subgraph has these inputs (and one output), identifier "TFL3" unless given. */
export function tfliteModel(inputs: TfliteTensorSpec[], identifier = 'TFL3'): Uint8Array {
  const builder = new Builder(1024);
  const intVector = (values: number[]) => {
    builder.startVector(4, values.length, 4);
    for (const value of [...values].reverse()) builder.addInt32(value);
    return builder.endVector();
  };
  const offsetVector = (offsets: number[]) => {
    builder.startVector(4, offsets.length, 4);
    for (const offset of [...offsets].reverse()) builder.addOffset(offset);
    return builder.endVector();
  };
  const specs = [...inputs, { name: 'Identity', shape: [1, 1000] }];
  const tensors = specs.map((spec) => {
    const name = builder.createString(spec.name);
    const shape = intVector(spec.shape);
    const signature = 'shapeSignature' in spec && spec.shapeSignature ? intVector(spec.shapeSignature) : 0;
    builder.startObject(8);
    builder.addFieldOffset(0, shape, 0);
    builder.addFieldInt8(1, ('type' in spec ? spec.type : 0) ?? 0, 0);
    builder.addFieldInt32(2, 0, 0);
    builder.addFieldOffset(3, name, 0);
    if (signature) builder.addFieldOffset(7, signature, 0);
    return builder.endObject();
  });
  const tensorVector = offsetVector(tensors);
  const inputIndexes = intVector(inputs.map((_, index) => index));
  const outputIndexes = intVector([inputs.length]);
  const subgraphName = builder.createString('main');
  builder.startObject(5);
  builder.addFieldOffset(0, tensorVector, 0);
  builder.addFieldOffset(1, inputIndexes, 0);
  builder.addFieldOffset(2, outputIndexes, 0);
  builder.addFieldOffset(4, subgraphName, 0);
  const subgraph = builder.endObject();
  const subgraphs = offsetVector([subgraph]);
  builder.startObject(0);
  const emptyBuffer = builder.endObject();
  const buffers = offsetVector([emptyBuffer]);
  builder.startObject(5);
  builder.addFieldInt32(0, 3, 0);
  builder.addFieldOffset(2, subgraphs, 0);
  builder.addFieldOffset(4, buffers, 0);
  const model = builder.endObject();
  builder.finish(model, identifier);
  return builder.asUint8Array();
}

/** The first bytes of an HDF5 file (superblock version 0), as h5py writes for model.save("model.h5"). */
export function hdf5Head(): Uint8Array {
  const bytes = new Uint8Array(96);
  bytes.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 8, 8, 0]);
  return bytes;
}

export function mxnetSymbol(dataName = 'data'): string {
  return JSON.stringify({
    nodes: [
      { op: 'null', name: dataName, inputs: [] },
      { op: 'null', name: 'conv0_weight', attrs: { __shape__: '(8, 3, 3, 3)' }, inputs: [] },
      { op: 'null', name: 'conv0_bias', inputs: [] },
      {
        op: 'Convolution',
        name: 'conv0',
        attrs: { kernel: '(3, 3)', num_filter: '8' },
        inputs: [
          [0, 0, 0],
          [1, 0, 0],
          [2, 0, 0],
        ],
      },
    ],
    arg_nodes: [0, 1, 2],
    heads: [[3, 0, 0]],
    attrs: { mxnet_version: ['int', 10800] },
  });
}

export type ArchiveFiles = Record<string, Uint8Array | string | { directory: true }>;

/** model.tar.gz bytes of these files, packed like `tar -C dir -czf model.tar.gz .` (or without gzip). */
export async function packArchive(files: ArchiveFiles, options: { gzip?: boolean } = {}): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-'));
  try {
    const root = join(dir, 'root');
    mkdirSync(root);
    for (const [path, content] of Object.entries(files)) {
      const target = join(root, path);
      if (typeof content === 'object' && 'directory' in content) {
        mkdirSync(target, { recursive: true });
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    const file = join(dir, 'model.tar.gz');
    await createTar({ gzip: options.gzip ?? true, cwd: root, file, portable: true }, ['.']);
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The archive as a stream of small chunks, as S3 GetObject delivers it. */
export function streamOf(bytes: Uint8Array, chunkSize = 16 * 1024): Readable {
  function* chunks() {
    for (let offset = 0; offset < bytes.length; offset += chunkSize) {
      yield Buffer.from(bytes.subarray(offset, offset + chunkSize));
    }
  }
  return Readable.from(chunks());
}

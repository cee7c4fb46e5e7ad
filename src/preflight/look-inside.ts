// Looks inside one model file of the archive while it streams by, per framework. Each reader states only what
// it is sure of as an error; what it cannot judge is a warning or nothing.
import { ByteReader } from './byte-reader.ts';
import { formatBytes } from './framework-layouts.ts';
import { type PytorchFacts, readPytorchFile } from './pytorch.ts';
import type { ModelFileFacts, ModelTensor, PreflightFinding } from './types.ts';

export const DEFAULT_MAX_ENTRY_BYTES = 64 * 1024 * 1024;

/** "\x89HDF\r\n\x1a\n": the HDF5 format signature, at offset 0 or after a user block of 512, 1024, 2048... bytes. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const HDF5_OFFSETS = [0, 512, 1024, 2048];

const TRACE_FIX =
  'trace or script the model and save that: torch.jit.trace(model, example).save("model.pth") (or torch.jit.script(model).save("model.pth"))';

export interface LookInsideOptions {
  maxEntryBytes: number;
}

/** The parts of the file the framework's reader needs, or undefined when nothing is read for this file. */
export async function lookInside(
  framework: string,
  path: string,
  size: number,
  source: AsyncIterable<Uint8Array>,
  options: LookInsideOptions,
): Promise<ModelFileFacts | undefined> {
  const lower = path.toLowerCase();
  if (framework === 'PYTORCH') return pytorchFacts(path, await readPytorchFile(source));
  if (framework === 'ONNX') {
    // protobufjs and flatbuffers are loaded only for the models that need them (start-up time of every run).
    const { readOnnxInputs } = await import('./onnx.ts');
    const onnx = await readOnnxInputs(source);
    if (!onnx.hasGraph) {
      return {
        path,
        kind: 'ONNX',
        findings: [
          {
            severity: 'warning',
            code: 'onnx-no-graph',
            message: `${path} has no graph (ModelProto field 7); it may not be an ONNX model. Export it again, e.g. torch.onnx.export(model, example, "model.onnx").`,
          },
        ],
      };
    }
    return {
      path,
      kind: onnx.opset === undefined ? 'ONNX' : `ONNX (opset ${onnx.opset})`,
      inputs: onnx.inputs,
      inputsComplete: true,
      findings: [],
    };
  }
  if (framework === 'TFLITE') {
    if (size > options.maxEntryBytes) return tooLarge(path, 'TFLite', size, options);
    return tfliteFacts(path, await readAll(source, size), await import('./tflite.ts'));
  }
  if (framework === 'KERAS') return kerasFacts(path, await new ByteReader(source).readUpTo(2048 + 8));
  if (framework === 'MXNET' && lower.endsWith('.json')) {
    if (size > options.maxEntryBytes) return tooLarge(path, 'MXNet symbol', size, options);
    return mxnetFacts(path, await readAll(source, size));
  }
  if (framework === 'TENSORFLOW' && size === 0) {
    return {
      path,
      kind: 'TensorFlow graph',
      findings: [
        {
          severity: 'error',
          code: 'tensorflow-empty-graph',
          message: `${path} is empty (0 bytes); Neo needs the serialized graph. Export the model again (tf.saved_model.save(model, "export_dir")) and repack.`,
        },
      ],
    };
  }
  return undefined;
}

async function readAll(source: AsyncIterable<Uint8Array>, size: number): Promise<Uint8Array> {
  return new ByteReader(source).readUpTo(size);
}

function tooLarge(path: string, kind: string, size: number, options: LookInsideOptions): ModelFileFacts {
  return {
    path,
    kind,
    findings: [
      {
        severity: 'notice',
        code: 'model-not-read',
        message: `${path} (${formatBytes(size)}) is larger than the preflight reads whole (${formatBytes(options.maxEntryBytes)}); its inputs were not checked.`,
      },
    ],
  };
}

function pytorchFacts(path: string, facts: PytorchFacts): ModelFileFacts {
  const findings: PreflightFinding[] = [];
  if (facts.format === 'legacy-pickle') {
    findings.push({
      severity: 'warning',
      code: 'pytorch-legacy-pickle',
      message: `${path} is a bare pickle (torch.save before PyTorch 1.6, or _use_new_zipfile_serialization=False), not a TorchScript archive; Neo needs a model definition file: ${TRACE_FIX}.`,
    });
    return { path, kind: 'legacy pickle', findings };
  }
  if (facts.format === 'unknown') {
    findings.push({
      severity: 'warning',
      code: 'pytorch-unknown-format',
      message: `${path} is neither a TorchScript zip archive nor a pickle (it starts with bytes ${facts.head}); Neo needs a model definition file: ${TRACE_FIX}.`,
    });
    return { path, kind: 'unknown format', findings };
  }
  if (facts.hasCode && facts.hasDataPkl)
    return { path, kind: 'TorchScript', forward: facts.forward, findings };
  const listing = `${facts.names.slice(0, 6).join(', ')}${facts.names.length > 6 ? ', ...' : ''}`;
  const top = facts.top;
  if (top && ((top.kind === 'global' && top.name === 'OrderedDict') || top.kind === 'dict')) {
    const what =
      top.kind === 'dict'
        ? 'a pickled dict (a checkpoint or a state_dict: weights without the network)'
        : 'a state_dict (a pickled collections.OrderedDict of tensors: weights without the network)';
    findings.push({
      severity: 'error',
      code: 'pytorch-state-dict',
      message: `${path} is ${what}, not TorchScript: its zip has data.pkl but no code/ folder (${listing}). Neo cannot load weights alone: build the model, model.load_state_dict(...), then ${TRACE_FIX}.`,
    });
    return { path, kind: top.kind === 'dict' ? 'pickled dict' : 'state_dict', findings };
  }
  if (top?.kind === 'global') {
    findings.push({
      severity: 'warning',
      code: 'pytorch-pickled-module',
      message: `${path} is a pickled ${top.module}.${top.name} (torch.save(model)), not TorchScript (no code/ folder in ${listing}); loading it needs the class's Python source, which Neo does not have. Instead, ${TRACE_FIX}.`,
    });
    return { path, kind: `pickled ${top.name}`, findings };
  }
  findings.push({
    severity: 'warning',
    code: 'pytorch-unknown-format',
    message: `${path} is a zip but not a TorchScript archive (no code/ folder and data.pkl in: ${listing}); Neo needs a model definition file: ${TRACE_FIX}.`,
  });
  return { path, kind: 'zip', findings };
}

function tfliteFacts(
  path: string,
  bytes: Uint8Array,
  { readTfliteInputs }: typeof import('./tflite.ts'),
): ModelFileFacts {
  try {
    const facts = readTfliteInputs(bytes);
    if (!facts.ok) {
      return {
        path,
        kind: 'not TFLite',
        findings: [
          {
            severity: 'error',
            code: 'tflite-identifier',
            message: `${path} is not a TFLite model: bytes 4-8 are ${JSON.stringify(facts.identifier)}, not the file identifier "TFL3" of the TFLite schema. Convert the model with tf.lite.TFLiteConverter and save its output as model.tflite.`,
          },
        ],
      };
    }
    return { path, kind: 'TFLite', inputs: facts.inputs, inputsComplete: facts.subgraphs > 0, findings: [] };
  } catch (error) {
    return unreadable(path, 'TFLite', error);
  }
}

function kerasFacts(path: string, head: Uint8Array): ModelFileFacts {
  const isHdf5 = HDF5_OFFSETS.some((offset) =>
    HDF5_SIGNATURE.every((byte, index) => head[offset + index] === byte),
  );
  if (isHdf5) return { path, kind: 'HDF5', findings: [] };
  const isZip = head[0] === 0x50 && head[1] === 0x4b;
  return {
    path,
    kind: isZip ? 'zip (Keras 3 format)' : 'not HDF5',
    findings: [
      {
        severity: 'error',
        code: 'keras-not-hdf5',
        message: `${path} is not an HDF5 file (no HDF5 signature${isZip ? '; it is a zip, the Keras 3 .keras format' : ''}); Neo loads Keras models from .h5. Save with model.save("model.h5") (Keras 2 / tf.keras HDF5 format).`,
      },
    ],
  };
}

/** MXNet's parameters are variables too; these name endings mark them (Gluon and Module naming). */
const PARAMETER_SUFFIXES = [
  '_weight',
  '_bias',
  '_gamma',
  '_beta',
  '_running_mean',
  '_running_var',
  '_moving_mean',
  '_moving_var',
  '_alpha',
];

function mxnetFacts(path: string, bytes: Uint8Array): ModelFileFacts {
  let symbol: unknown;
  try {
    symbol = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    return {
      path,
      kind: 'not JSON',
      findings: [
        {
          severity: 'error',
          code: 'mxnet-symbol-json',
          message: `${path} is not JSON (${(error as Error).message}); Neo expects the symbol file MXNet's export writes (net.export("model") gives model-symbol.json).`,
        },
      ],
    };
  }
  const nodes = (symbol as { nodes?: unknown }).nodes;
  if (!Array.isArray(nodes)) {
    return {
      path,
      kind: 'JSON',
      findings: [
        {
          severity: 'warning',
          code: 'mxnet-symbol-json',
          message: `${path} has no "nodes" list, so it is probably not an MXNet symbol file; Neo expects the file net.export("model") writes (model-symbol.json).`,
        },
      ],
    };
  }
  // Variables are nodes with op "null"; those not named like parameters are the likely data inputs.
  const inputs: ModelTensor[] = nodes
    .filter(
      (node): node is { op: string; name: string } => node?.op === 'null' && typeof node.name === 'string',
    )
    .filter((node) => !PARAMETER_SUFFIXES.some((suffix) => node.name.endsWith(suffix)))
    .map((node) => ({ name: node.name }));
  return { path, kind: 'MXNet symbol', inputs, inputsComplete: false, findings: [] };
}

export function unreadable(path: string, kind: string, error: unknown): ModelFileFacts {
  return {
    path,
    kind,
    findings: [
      {
        severity: 'warning',
        code: 'model-unreadable',
        message: `${path} could not be read as ${kind} (${error instanceof Error ? error.message : String(error)}); the preflight did not check it.`,
      },
    ],
  };
}

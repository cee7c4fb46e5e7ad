// ONNX: the graph's inputs (names, element types, dims), initializers excluded, read while the file streams by.
// The model is one protobuf ModelProto whose graph (field 7) holds the initializers (field 5, the weights: almost
// all of the file) before the inputs (field 11). So the wire format is walked by hand down to those fields and
// only each small ValueInfoProto is buffered and decoded with protobufjs from the official schema.
import { ByteReader } from './byte-reader.ts';
import { ONNX_ELEMENT_TYPES, onnxRoot } from './onnx-schema.ts';
import type { Dimension, ModelTensor } from './types.ts';

const ValueInfoProto = onnxRoot.lookupType('onnx.ValueInfoProto');
const OperatorSetIdProto = onnxRoot.lookupType('onnx.OperatorSetIdProto');

/** A ValueInfoProto larger than this is not a plain graph input. */
const MAX_VALUE_INFO_BYTES = 1 << 20;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

const MODEL_GRAPH = 7;
const MODEL_OPSET_IMPORT = 8;
const GRAPH_INITIALIZER = 5;
const GRAPH_SPARSE_INITIALIZER = 15;
const GRAPH_INPUT = 11;
const TENSOR_NAME = 8;
const SPARSE_VALUES = 1;

export interface OnnxFacts {
  opset?: number;
  /** Graph inputs that are not initializers, in graph order. */
  inputs: ModelTensor[];
  hasGraph: boolean;
}

export async function readOnnxInputs(source: AsyncIterable<Uint8Array>): Promise<OnnxFacts> {
  const reader = new ByteReader(source);
  const inputs: ModelTensor[] = [];
  const initializers = new Set<string>();
  let opset: number | undefined;
  let hasGraph = false;
  while (!(await reader.atEnd())) {
    const { field, wire } = await readTag(reader, 'ModelProto');
    if (field === MODEL_GRAPH && wire === WIRE_BYTES) {
      hasGraph = true;
      const length = await reader.readVarint('ModelProto.graph');
      await readGraph(reader, reader.position + length, inputs, initializers);
    } else if (field === MODEL_OPSET_IMPORT && wire === WIRE_BYTES) {
      const length = await reader.readVarint('ModelProto.opset_import');
      const entry = OperatorSetIdProto.toObject(
        OperatorSetIdProto.decode(await reader.read(length, 'ModelProto.opset_import')),
        { longs: Number },
      ) as { domain?: string; version?: number };
      if (!entry.domain || entry.domain === 'ai.onnx') opset = entry.version;
    } else {
      await skipField(reader, wire, 'ModelProto');
    }
  }
  // Before IR version 4, initializers were also listed as graph inputs: they are weights, not data inputs.
  return { opset, inputs: inputs.filter((input) => !initializers.has(input.name)), hasGraph };
}

async function readGraph(
  reader: ByteReader,
  end: number,
  inputs: ModelTensor[],
  initializers: Set<string>,
): Promise<void> {
  while (reader.position < end) {
    const { field, wire } = await readTag(reader, 'GraphProto');
    if (wire !== WIRE_BYTES) {
      await skipField(reader, wire, 'GraphProto');
      continue;
    }
    const length = await reader.readVarint('GraphProto');
    if (field === GRAPH_INPUT && length <= MAX_VALUE_INFO_BYTES) {
      inputs.push(toTensor(ValueInfoProto.decode(await reader.read(length, 'GraphProto.input'))));
    } else if (field === GRAPH_INITIALIZER) {
      const name = await readTensorName(reader, reader.position + length);
      if (name !== undefined) initializers.add(name);
    } else if (field === GRAPH_SPARSE_INITIALIZER) {
      const name = await readSparseTensorName(reader, reader.position + length);
      if (name !== undefined) initializers.add(name);
    } else {
      await reader.skip(length, 'GraphProto');
    }
  }
}

/** TensorProto.name, skipping the tensor's data. */
async function readTensorName(reader: ByteReader, end: number): Promise<string | undefined> {
  let name: string | undefined;
  while (reader.position < end) {
    const { field, wire } = await readTag(reader, 'TensorProto');
    if (field === TENSOR_NAME && wire === WIRE_BYTES) {
      const length = await reader.readVarint('TensorProto.name');
      name = new TextDecoder().decode(await reader.read(length, 'TensorProto.name'));
    } else {
      await skipField(reader, wire, 'TensorProto');
    }
  }
  return name;
}

async function readSparseTensorName(reader: ByteReader, end: number): Promise<string | undefined> {
  let name: string | undefined;
  while (reader.position < end) {
    const { field, wire } = await readTag(reader, 'SparseTensorProto');
    if (field === SPARSE_VALUES && wire === WIRE_BYTES) {
      const length = await reader.readVarint('SparseTensorProto.values');
      name = await readTensorName(reader, reader.position + length);
    } else {
      await skipField(reader, wire, 'SparseTensorProto');
    }
  }
  return name;
}

async function readTag(reader: ByteReader, what: string): Promise<{ field: number; wire: number }> {
  const tag = await reader.readVarint(what);
  return { field: Math.floor(tag / 8), wire: tag % 8 };
}

async function skipField(reader: ByteReader, wire: number, what: string): Promise<void> {
  if (wire === WIRE_VARINT) await reader.readVarint(what);
  else if (wire === WIRE_FIXED64) await reader.skip(8, what);
  else if (wire === WIRE_BYTES) await reader.skip(await reader.readVarint(what), what);
  else if (wire === WIRE_FIXED32) await reader.skip(4, what);
  else throw new Error(`unexpected protobuf wire type ${wire} in ${what}: this is not an ONNX model`);
}

interface DecodedValueInfo {
  name?: string;
  type?: {
    tensor_type?: {
      elem_type?: number;
      shape?: { dim?: { dim_value?: number; dim_param?: string }[] };
    };
    sequence_type?: unknown;
    map_type?: unknown;
  };
}

function toTensor(message: protobuf.Message): ModelTensor {
  const info = ValueInfoProto.toObject(message, { longs: Number }) as DecodedValueInfo;
  const tensor = info.type?.tensor_type;
  const name = info.name ?? '';
  if (!tensor) {
    return {
      name,
      elementType: info.type?.sequence_type ? 'sequence' : info.type?.map_type ? 'map' : undefined,
    };
  }
  const elementType =
    tensor.elem_type === undefined
      ? undefined
      : (ONNX_ELEMENT_TYPES[tensor.elem_type] ?? `type ${tensor.elem_type}`);
  const shape: Dimension[] | undefined = tensor.shape
    ? (tensor.shape.dim ?? []).map((dim) =>
        dim.dim_value !== undefined && dim.dim_value > 0 ? dim.dim_value : (dim.dim_param ?? null),
      )
    : undefined;
  return { name, shape, elementType };
}

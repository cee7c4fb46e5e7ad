// TFLite: the main subgraph's inputs (names, shapes, element types) from the model flatbuffer.
// Field indexes follow the official schema, tensorflow/lite/schema/schema.fbs (file_identifier "TFL3"):
//   table Model    { version:uint; operator_codes; subgraphs:[SubGraph]; description; buffers; ... }
//   table SubGraph { tensors:[Tensor]; inputs:[int]; outputs:[int]; operators; name:string; }
//   table Tensor   { shape:[int]; type:TensorType; buffer:uint; name:string; quantization; is_variable;
//                    sparsity; shape_signature:[int]; ... }
// A field's vtable slot is 4 + 2 * its index. The flatbuffers library reads the bytes; the tables are small enough
// to walk by hand rather than ship generated code for the whole schema.
import { ByteBuffer } from 'flatbuffers';
import type { Dimension, ModelTensor } from './types.ts';

export const TFLITE_IDENTIFIER = 'TFL3';

const slot = (fieldIndex: number): number => 4 + 2 * fieldIndex;
const MODEL_SUBGRAPHS = slot(2);
const SUBGRAPH_TENSORS = slot(0);
const SUBGRAPH_INPUTS = slot(1);
const TENSOR_SHAPE = slot(0);
const TENSOR_TYPE = slot(1);
const TENSOR_NAME = slot(3);
const TENSOR_SHAPE_SIGNATURE = slot(7);

/** enum TensorType in schema.fbs. */
const TENSOR_TYPES = [
  'float32',
  'float16',
  'int32',
  'uint8',
  'int64',
  'string',
  'bool',
  'int16',
  'complex64',
  'int8',
  'float64',
  'complex128',
  'uint64',
  'resource',
  'variant',
  'uint32',
  'uint16',
  'int4',
  'bfloat16',
];

export type TfliteFacts =
  | { ok: true; inputs: ModelTensor[]; subgraphs: number }
  | { ok: false; identifier: string };

export function readTfliteInputs(bytes: Uint8Array): TfliteFacts {
  const bb = new ByteBuffer(bytes);
  if (bytes.length < 8 || !bb.__has_identifier(TFLITE_IDENTIFIER)) {
    return { ok: false, identifier: new TextDecoder('latin1').decode(bytes.subarray(4, 8)) };
  }
  const model = bb.readUint32(0);
  const subgraphsField = bb.__offset(model, MODEL_SUBGRAPHS);
  const subgraphs = subgraphsField ? bb.__vector_len(model + subgraphsField) : 0;
  if (subgraphs === 0) return { ok: true, inputs: [], subgraphs };
  // The 0th subgraph is the main model (schema.fbs).
  const subgraph = bb.__indirect(bb.__vector(model + subgraphsField));
  const tensorsField = bb.__offset(subgraph, SUBGRAPH_TENSORS);
  const inputsField = bb.__offset(subgraph, SUBGRAPH_INPUTS);
  if (!tensorsField || !inputsField) return { ok: true, inputs: [], subgraphs };
  const tensorCount = bb.__vector_len(subgraph + tensorsField);
  const inputCount = bb.__vector_len(subgraph + inputsField);
  const inputs: ModelTensor[] = [];
  for (let index = 0; index < inputCount; index++) {
    const tensorIndex = bb.readInt32(bb.__vector(subgraph + inputsField) + index * 4);
    if (tensorIndex < 0 || tensorIndex >= tensorCount) continue;
    const tensor = bb.__indirect(bb.__vector(subgraph + tensorsField) + tensorIndex * 4);
    inputs.push(readTensor(bb, tensor));
  }
  return { ok: true, inputs, subgraphs };
}

function readTensor(bb: ByteBuffer, tensor: number): ModelTensor {
  const nameField = bb.__offset(tensor, TENSOR_NAME);
  const typeField = bb.__offset(tensor, TENSOR_TYPE);
  const shape = readIntVector(bb, tensor, TENSOR_SHAPE);
  // shape_signature keeps -1 for dimensions left open (shape then holds 1 there).
  const signature = readIntVector(bb, tensor, TENSOR_SHAPE_SIGNATURE);
  const dims: Dimension[] | undefined =
    signature && shape && signature.length === shape.length
      ? signature.map((dim) => (dim < 0 ? null : dim))
      : shape;
  const type = typeField ? bb.readInt8(tensor + typeField) : 0;
  return {
    name: nameField ? (bb.__string(tensor + nameField) as string) : '',
    shape: dims,
    elementType: TENSOR_TYPES[type] ?? `type ${type}`,
  };
}

function readIntVector(bb: ByteBuffer, table: number, field: number): number[] | undefined {
  const offset = bb.__offset(table, field);
  if (!offset) return undefined;
  const start = bb.__vector(table + offset);
  return Array.from({ length: bb.__vector_len(table + offset) }, (_, index) =>
    bb.readInt32(start + index * 4),
  );
}

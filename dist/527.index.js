export const id = 527;
export const ids = [527];
export const modules = {

/***/ 6527:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  readOnnxInputs: () => (/* binding */ readOnnxInputs)
});

// EXTERNAL MODULE: ./src/preflight/byte-reader.ts
var byte_reader = __webpack_require__(5401);
// EXTERNAL MODULE: ./node_modules/protobufjs/index.js
var protobufjs = __webpack_require__(1853);
var protobufjs_default = /*#__PURE__*/__webpack_require__.n(protobufjs);
;// CONCATENATED MODULE: ./src/preflight/onnx-schema.ts
// The subset of the official ONNX schema the preflight reads (and the tests write), field numbers unchanged.
// Source: onnx/onnx.proto in github.com/onnx/onnx (IR version 7 era; later versions only add fields, which the
// decoder skips). Messages and fields not needed here are left out; protobuf skips unknown fields by design.

const ONNX_PROTO_SUBSET = `
syntax = "proto2";
package onnx;

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated SparseTensorProto sparse_initializer = 15;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
}

message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  optional string name = 8;
  optional bytes raw_data = 9;
}

message SparseTensorProto {
  optional TensorProto values = 1;
  optional TensorProto indices = 2;
  repeated int64 dims = 3;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    };
    optional string denotation = 3;
  };
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  message Sequence {
    optional TypeProto elem_type = 1;
  };
  message Map {
    optional int32 key_type = 1;
    optional TypeProto value_type = 2;
  };
  oneof value {
    Tensor tensor_type = 1;
    Sequence sequence_type = 4;
    Map map_type = 5;
  }
  optional string denotation = 6;
}
`;
const onnxRoot = protobufjs_default().parse(ONNX_PROTO_SUBSET, { keepCase: true }).root;
/** TensorProto.DataType names (onnx.proto), for messages. */
const ONNX_ELEMENT_TYPES = {
    1: 'float32',
    2: 'uint8',
    3: 'int8',
    4: 'uint16',
    5: 'int16',
    6: 'int32',
    7: 'int64',
    8: 'string',
    9: 'bool',
    10: 'float16',
    11: 'float64',
    12: 'uint32',
    13: 'uint64',
    14: 'complex64',
    15: 'complex128',
    16: 'bfloat16',
};

;// CONCATENATED MODULE: ./src/preflight/onnx.ts
// ONNX: the graph's inputs (names, element types, dims), initializers excluded, read while the file streams by.
// The model is one protobuf ModelProto whose graph (field 7) holds the initializers (field 5, the weights: almost
// all of the file) before the inputs (field 11). So the wire format is walked by hand down to those fields and
// only each small ValueInfoProto is buffered and decoded with protobufjs from the official schema.


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
async function readOnnxInputs(source) {
    const reader = new byte_reader/* ByteReader */.k(source);
    const inputs = [];
    const initializers = new Set();
    let opset;
    let hasGraph = false;
    while (!(await reader.atEnd())) {
        const { field, wire } = await readTag(reader, 'ModelProto');
        if (field === MODEL_GRAPH && wire === WIRE_BYTES) {
            hasGraph = true;
            const length = await reader.readVarint('ModelProto.graph');
            await readGraph(reader, reader.position + length, inputs, initializers);
        }
        else if (field === MODEL_OPSET_IMPORT && wire === WIRE_BYTES) {
            const length = await reader.readVarint('ModelProto.opset_import');
            const entry = OperatorSetIdProto.toObject(OperatorSetIdProto.decode(await reader.read(length, 'ModelProto.opset_import')), { longs: Number });
            if (!entry.domain || entry.domain === 'ai.onnx')
                opset = entry.version;
        }
        else {
            await skipField(reader, wire, 'ModelProto');
        }
    }
    // Before IR version 4, initializers were also listed as graph inputs: they are weights, not data inputs.
    return { opset, inputs: inputs.filter((input) => !initializers.has(input.name)), hasGraph };
}
async function readGraph(reader, end, inputs, initializers) {
    while (reader.position < end) {
        const { field, wire } = await readTag(reader, 'GraphProto');
        if (wire !== WIRE_BYTES) {
            await skipField(reader, wire, 'GraphProto');
            continue;
        }
        const length = await reader.readVarint('GraphProto');
        if (field === GRAPH_INPUT && length <= MAX_VALUE_INFO_BYTES) {
            inputs.push(toTensor(ValueInfoProto.decode(await reader.read(length, 'GraphProto.input'))));
        }
        else if (field === GRAPH_INITIALIZER) {
            const name = await readTensorName(reader, reader.position + length);
            if (name !== undefined)
                initializers.add(name);
        }
        else if (field === GRAPH_SPARSE_INITIALIZER) {
            const name = await readSparseTensorName(reader, reader.position + length);
            if (name !== undefined)
                initializers.add(name);
        }
        else {
            await reader.skip(length, 'GraphProto');
        }
    }
}
/** TensorProto.name, skipping the tensor's data. */
async function readTensorName(reader, end) {
    let name;
    while (reader.position < end) {
        const { field, wire } = await readTag(reader, 'TensorProto');
        if (field === TENSOR_NAME && wire === WIRE_BYTES) {
            const length = await reader.readVarint('TensorProto.name');
            name = new TextDecoder().decode(await reader.read(length, 'TensorProto.name'));
        }
        else {
            await skipField(reader, wire, 'TensorProto');
        }
    }
    return name;
}
async function readSparseTensorName(reader, end) {
    let name;
    while (reader.position < end) {
        const { field, wire } = await readTag(reader, 'SparseTensorProto');
        if (field === SPARSE_VALUES && wire === WIRE_BYTES) {
            const length = await reader.readVarint('SparseTensorProto.values');
            name = await readTensorName(reader, reader.position + length);
        }
        else {
            await skipField(reader, wire, 'SparseTensorProto');
        }
    }
    return name;
}
async function readTag(reader, what) {
    const tag = await reader.readVarint(what);
    return { field: Math.floor(tag / 8), wire: tag % 8 };
}
async function skipField(reader, wire, what) {
    if (wire === WIRE_VARINT)
        await reader.readVarint(what);
    else if (wire === WIRE_FIXED64)
        await reader.skip(8, what);
    else if (wire === WIRE_BYTES)
        await reader.skip(await reader.readVarint(what), what);
    else if (wire === WIRE_FIXED32)
        await reader.skip(4, what);
    else
        throw new Error(`unexpected protobuf wire type ${wire} in ${what}: this is not an ONNX model`);
}
function toTensor(message) {
    const info = ValueInfoProto.toObject(message, { longs: Number });
    const tensor = info.type?.tensor_type;
    const name = info.name ?? '';
    if (!tensor) {
        return {
            name,
            elementType: info.type?.sequence_type ? 'sequence' : info.type?.map_type ? 'map' : undefined,
        };
    }
    const elementType = tensor.elem_type === undefined
        ? undefined
        : (ONNX_ELEMENT_TYPES[tensor.elem_type] ?? `type ${tensor.elem_type}`);
    const shape = tensor.shape
        ? (tensor.shape.dim ?? []).map((dim) => dim.dim_value !== undefined && dim.dim_value > 0 ? dim.dim_value : (dim.dim_param ?? null))
        : undefined;
    return { name, shape, elementType };
}


/***/ })

};

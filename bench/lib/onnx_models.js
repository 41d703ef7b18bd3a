'use strict';
/** ONNX models for the onnxruntime-node peer, built in JS with onnx-proto (opset 17). */
const { onnx } = require('onnx-proto');

const FLOAT = onnx.TensorProto.DataType.FLOAT;

function valueInfo(name, dims) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: FLOAT,
        shape: onnx.TensorShapeProto.create({ dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) }),
      }),
    }),
  });
}

function encode(graph) {
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'tensornode-bench', graph });
  return onnx.ModelProto.encode(model).finish();
}

function initializer(name, dims, arr) {
  const raw = new Uint8Array(arr.buffer.slice(arr.byteOffset, arr.byteOffset + arr.byteLength));
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: raw });
}

/** C = A · B with both operands as inputs (dynamic sizes). */
function sgemmModel() {
  return encode(onnx.GraphProto.create({
    name: 'sgemm',
    node: [onnx.NodeProto.create({ opType: 'MatMul', input: ['A', 'B'], output: ['C'] })],
    input: [valueInfo('A', ['M', 'K']), valueInfo('B', ['K', 'N'])],
    output: [valueInfo('C', ['M', 'N'])],
  }));
}

/** x → Gemm(W0ᵀ, b0) → Sigmoid → … → Gemm (no activation after the last layer). */
function mlpModel(params) {
  const nodes = [], inits = [];
  let cur = 'x';
  params.forEach((p, l) => {
    inits.push(initializer(`W${l}`, [p.fout, p.fin], p.W), initializer(`b${l}`, [p.fout], p.b));
    nodes.push(onnx.NodeProto.create({
      opType: 'Gemm', input: [cur, `W${l}`, `b${l}`], output: [`g${l}`],
      attribute: [onnx.AttributeProto.create({ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 })],
    }));
    cur = `g${l}`;
    if (l < params.length - 1) {
      nodes.push(onnx.NodeProto.create({ opType: 'Sigmoid', input: [cur], output: [`s${l}`] }));
      cur = `s${l}`;
    }
  });
  const bytes = encode(onnx.GraphProto.create({
    name: 'mlp', node: nodes, initializer: inits,
    input: [valueInfo('x', ['N', params[0].fin])],
    output: [valueInfo(cur, ['N', params[params.length - 1].fout])],
  }));
  return { bytes, output: cur };
}

module.exports = { sgemmModel, mlpModel };

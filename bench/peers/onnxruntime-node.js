'use strict';
/**
 * onnxruntime-node (CPU execution provider, the binary that ships in the npm package):
 * intraOpNumThreads = the thread count, one inter-op thread, sequential execution, all graph
 * optimisations. SGEMM is a MatMul of two graph inputs (so ORT packs B on every call, as we
 * do); the MLPs are Gemm(transB=1) + Sigmoid with the weights as constant initializers.
 * session.run is asynchronous, so each call is awaited.
 */
const ort = require('onnxruntime-node');
const { sgemmModel, mlpModel } = require('../lib/onnx_models');

let options;
const sessions = new Map();
async function session(key, build) {
  if (!sessions.has(key)) sessions.set(key, await ort.InferenceSession.create(build(), options));
  return sessions.get(key);
}

module.exports = {
  async init({ threads }) {
    options = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
    return { name: 'onnxruntime-node', version: require('onnxruntime-node/package.json').version, threads };
  },
  async sgemm(A, B, n) {
    const s = await session('sgemm', sgemmModel);
    const feeds = { A: new ort.Tensor('float32', A, [n, n]), B: new ort.Tensor('float32', B, [n, n]) };
    return { run: () => s.run(feeds), read: (r) => r.C.data };
  },
  async mlp(layers, params, batch, x) {
    const key = `mlp${layers.join('-')}`;
    let out;
    const s = await session(key, () => {
      const m = mlpModel(params);
      out = m.output;
      return m.bytes;
    });
    const output = s.outputNames[0];
    return { run: async () => (await s.run({ x: new ort.Tensor('float32', x, [batch, layers[0]]) }))[output].data };
  },
};

'use strict';
/**
 * TensorFlow.js with the backend named by BENCH_TFJS_BACKEND (cpu: plain JS; wasm: XNNPACK).
 * Single-threaded: tfjs-cpu is JS, and tfjs-backend-wasm has no threads under Node (it hard-codes
 * WASM_HAS_MULTITHREAD_SUPPORT=false there). SGEMM: tf.matMul + dataSync. MLPs: tf.fused.matMul
 * with bias and activation per layer; W is transposed once at load to tf.layers.dense's
 * [in, out] layout (tfjs-backend-wasm 4.22.0 returns wrong rows for transposeB with batch > 1).
 */
const tf = require('@tensorflow/tfjs');

const backend = process.env.BENCH_TFJS_BACKEND || 'cpu';

function transpose(W, rows, cols) {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; ++i) for (let j = 0; j < cols; ++j) out[j * rows + i] = W[i * cols + j];
  return out;
}

module.exports = {
  async init() {
    if (backend === 'wasm') require('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend(backend);
    await tf.ready();
    if (tf.getBackend() !== backend) throw new Error(`tfjs backend ${backend} unavailable`);
    return { name: `tfjs-${backend}`, version: tf.version.tfjs, threads: 1 };
  },
  async sgemm(A, B, n) {
    const a = tf.tensor2d(A, [n, n]), b = tf.tensor2d(B, [n, n]);
    return {
      run: () => {
        const c = tf.matMul(a, b);
        const d = c.dataSync();
        c.dispose();
        return d;
      },
    };
  },
  async mlp(layers, params, batch, x) {
    const W = params.map((p) => tf.tensor2d(transpose(p.W, p.fout, p.fin), [p.fin, p.fout]));
    const b = params.map((p) => tf.tensor1d(p.b));
    return {
      run: () => {
        const y = tf.tidy(() => {
          let h = tf.tensor2d(x, [batch, layers[0]]);
          for (let l = 0; l < W.length; ++l)
            h = tf.fused.matMul({ a: h, b: W[l], bias: b[l], activation: l < W.length - 1 ? 'sigmoid' : 'linear' });
          return h;
        });
        const d = y.dataSync();
        y.dispose();
        return d;
      },
    };
  },
};

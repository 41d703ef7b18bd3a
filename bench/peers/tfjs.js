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
  /** One SGD step of the MNIST MLP: optimizer.minimize over relu(x·W0 + b0)·W1 + b1, softmax CE. */
  async train(layers, params, batch, x, labels, lr) {
    const [nIn, nHid, nOut] = layers;
    const W0 = tf.variable(tf.tensor2d(transpose(params[0].W, nHid, nIn), [nIn, nHid]));
    const b0 = tf.variable(tf.tensor1d(params[0].b));
    const W1 = tf.variable(tf.tensor2d(transpose(params[1].W, nOut, nHid), [nHid, nOut]));
    const b1 = tf.variable(tf.tensor1d(params[1].b));
    const vars = [W0, b0, W1, b1];
    const xt = tf.tensor2d(x, [batch, nIn]);
    const yt = tf.oneHot(tf.tensor1d(labels, 'int32'), nOut);
    const opt = tf.train.sgd(lr);
    const before = vars.map((v) => Float64Array.from(v.dataSync()));
    return {
      run: () => {
        opt.minimize(() => {
          const h = tf.relu(tf.add(tf.matMul(xt, W0), b0));
          return tf.losses.softmaxCrossEntropy(yt, tf.add(tf.matMul(h, W1), b1));
        }, false, vars);
      },
      // Parameter change so far, weights back in the [out, in] layout of the reference.
      read: () => {
        const d = vars.map((v, i) => {
          const now = v.dataSync();
          return Float64Array.from(now, (val, j) => val - before[i][j]);
        });
        const out = new Float64Array(d.reduce((n, a) => n + a.length, 0));
        let at = 0;
        const putT = (a, rows, cols) => { for (let o = 0; o < cols; ++o) for (let k = 0; k < rows; ++k) out[at++] = a[k * cols + o]; };
        putT(d[0], nIn, nHid);
        for (const v of d[1]) out[at++] = v;
        putT(d[2], nHid, nOut);
        for (const v of d[3]) out[at++] = v;
        return out;
      },
    };
  },
};

'use strict';
/**
 * tensornode through its public API, the way a user calls it: SGEMM as a.matmul(b) (the result
 * is a tensor backed by a JS Float32Array; dataSync() is used only to verify), MLPs as
 * tn.nn.Sequential(Linear, Sigmoid, …).forward under tn.noGrad, a Float32Array in
 * (tn.fromArray) and a Float32Array out (dataSync()).
 * BENCH_TN_MODE=module (default): the Sequential as constructed (training mode, no eval()) under
 * tn.noGrad, the way the CPU-speed targets are worded; its forward runs as one native plan.
 * BENCH_TN_MODE=ops: the per-op path, one tn.linear call (fused activation) per layer.
 */
const path = require('path');
const tn = require(path.resolve(__dirname, '..', '..'));

let threads = 2;
module.exports = {
  async init(opts) {
    threads = opts.threads;
    tn.setNumThreads(threads);
    const info = tn.info ? tn.info() : {};
    return { name: process.env.BENCH_TN_MODE === 'ops' ? 'tensornode-ops' : 'tensornode', version: require('../../package.json').version, threads: tn.getNumThreads(), details: info };
  },
  async sgemm(A, B, n) {
    const a = tn.fromArray(A, [n, n]), b = tn.fromArray(B, [n, n]);
    return { run: () => a.matmul(b), read: (y) => y.dataSync() };
  },
  async mlp(layers, params, batch, x) {
    const nIn = layers[0];
    if (process.env.BENCH_TN_MODE !== 'ops') {
      const mods = [];
      params.forEach((p, l) => {
        mods.push(new tn.nn.Linear(p.fin, p.fout));
        if (l < params.length - 1) mods.push(new tn.nn.Sigmoid());
      });
      const model = new tn.nn.Sequential(...mods);
      const sd = {};
      params.forEach((p, l) => {
        sd[`${2 * l}.weight`] = tn.fromArray(p.W, [p.fout, p.fin]);
        sd[`${2 * l}.bias`] = tn.fromArray(p.b, [p.fout]);
      });
      model.loadStateDict(sd);
      return { run: () => tn.noGrad(() => model.forward(tn.fromArray(x, [batch, nIn])).dataSync()) };
    }
    const W = params.map((p) => tn.fromArray(p.W, [p.fout, p.fin])), b = params.map((p) => tn.fromArray(p.b, [p.fout]));
    return {
      run: () => tn.noGrad(() => {
        let h = tn.fromArray(x, [batch, nIn]);
        for (let l = 0; l < W.length; ++l) h = tn.linear(h, W[l], b[l], l < W.length - 1 ? 'sigmoid' : 'none');
        return h.dataSync();
      }),
    };
  },
  /** One SGD step of the MNIST MLP through the training API (zeroGrad, forward, loss, backward, step). */
  async train(layers, params, batch, x, labels, lr) {
    const [nIn, nHid, nOut] = layers;
    const model = new tn.nn.Sequential(new tn.nn.Linear(nIn, nHid), new tn.nn.ReLU(), new tn.nn.Linear(nHid, nOut));
    model.loadStateDict({
      '0.weight': tn.fromArray(params[0].W, [nHid, nIn]), '0.bias': tn.fromArray(params[0].b, [nHid]),
      '2.weight': tn.fromArray(params[1].W, [nOut, nHid]), '2.bias': tn.fromArray(params[1].b, [nOut]),
    });
    const opt = new tn.optim.SGD(model.parameters(), { lr });
    const xt = tn.fromArray(x, [batch, nIn]), yt = tn.fromArray(labels, [batch]);
    const before = model.parameters().map((p) => Float64Array.from(p.dataSync()));
    return {
      run: () => {
        opt.zeroGrad();
        const loss = tn.nn.functional.crossEntropy(model.forward(xt), yt);
        loss.backward();
        opt.step();
        return loss;
      },
      // The parameter change of the step(s) run so far, in the reference's [ΔW0, Δb0, ΔW1, Δb1] order.
      read: () => {
        const now = model.parameters().map((p) => p.dataSync());
        const out = new Float64Array(now.reduce((n, a) => n + a.length, 0));
        let at = 0;
        now.forEach((a, i) => { for (let j = 0; j < a.length; ++j) out[at++] = a[j] - before[i][j]; });
        return out;
      },
    };
  },
};

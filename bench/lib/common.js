'use strict';
/**
 * Shared by the runner and the JS peer workers: the workloads, their deterministic data
 * (written once per run as raw little-endian files that every peer, NumPy included, reads),
 * the float64 references, verification and timing.
 *
 * Data (as in /work/shared/reference/perf-anchors.md): inputs uniform in [-1, 1) with exact
 * zeros replaced; weights and biases uniform in ±1/sqrt(fan_in) (PyTorch's Linear init);
 * W has shape [out, in] and y = x·Wᵀ + b.
 */
const fs = require('fs');
const path = require('path');

const WORKLOADS = {
  sgemm: { sizes: [128, 256, 512, 1024, 2048] },
  lecture: { layers: [4, 5, 6, 3], batches: [1, 1024, 65536] },   // sigmoid between layers
  big: { layers: [784, 1024, 1024, 10], batches: [1, 64, 1024] }, // sigmoid between layers
  // One training step of the MNIST MLP (examples/train_mnist.ts): ReLU between the layers,
  // softmax cross-entropy (batch mean), plain SGD.
  train: { layers: [784, 128, 10], batches: [64, 256], lr: 0.1 },
};
const TOLERANCE = 1e-4;   // ‖out − ref‖ / ‖ref‖ over the checked rows
const CHECK_ROWS = 128;   // rows checked against float64 (all of them when there are fewer)
const SKIP_SECONDS = 5;   // a size is skipped when one call takes longer

/** mulberry32: small, seedable, identical wherever it runs. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniform(n, seed, bound) {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; ++i) {
    let v = (2 * r() - 1) * bound;
    if (v === 0) v = bound * 1e-3;
    out[i] = v;
  }
  return out;
}

/** Row indices checked for an output of `rows` rows (evenly spread, first and last included). */
function checkRows(rows) {
  if (rows <= CHECK_ROWS) return Array.from({ length: rows }, (_, i) => i);
  return Array.from({ length: CHECK_ROWS }, (_, i) => Math.floor((i * (rows - 1)) / (CHECK_ROWS - 1)));
}

// ---- float64 references ----

function sgemmRef(A, B, n, rows) {
  const out = new Float64Array(rows.length * n);
  const acc = new Float64Array(n);
  rows.forEach((i, r) => {
    acc.fill(0);
    for (let k = 0; k < n; ++k) {
      const a = A[i * n + k];
      const bo = k * n;
      for (let j = 0; j < n; ++j) acc[j] += a * B[bo + j];
    }
    out.set(acc, r * n);
  });
  return out;
}

const sigmoid64 = (v) => 1 / (1 + Math.exp(-v));

/** MLP forward in float64 for the given rows of x; sigmoid after every layer but the last. */
function mlpRef(layers, params, x, rows) {
  const nIn = layers[0], nOut = layers[layers.length - 1];
  const out = new Float64Array(rows.length * nOut);
  rows.forEach((i, r) => {
    let h = Float64Array.from(x.subarray(i * nIn, (i + 1) * nIn));
    for (let l = 0; l < layers.length - 1; ++l) {
      const fin = layers[l], fout = layers[l + 1];
      const { W, b } = params[l];
      const y = new Float64Array(fout);
      for (let o = 0; o < fout; ++o) {
        let s = b[o];
        const wo = o * fin;
        for (let k = 0; k < fin; ++k) s += W[wo + k] * h[k];
        y[o] = l < layers.length - 2 ? sigmoid64(s) : s;
      }
      h = y;
    }
    out.set(h, r * nOut);
  });
  return out;
}

/**
 * The parameter change of one SGD step of the training workload, in float64:
 * [ΔW0 (fout×fin), Δb0, ΔW1, Δb1] with Δ = −lr·∂(mean CE)/∂θ, for batch rows [0, B).
 */
function trainStepRef(layers, params, x, labels, B, lr) {
  const [nIn, nHid, nOut] = layers;
  const [L0, L1] = params;
  const h = new Float64Array(B * nHid), dz = new Float64Array(B * nOut);
  for (let i = 0; i < B; ++i) {
    for (let o = 0; o < nHid; ++o) {
      let s = L0.b[o];
      for (let k = 0; k < nIn; ++k) s += L0.W[o * nIn + k] * x[i * nIn + k];
      h[i * nHid + o] = s > 0 ? s : 0;
    }
    const z = new Float64Array(nOut);
    for (let o = 0; o < nOut; ++o) {
      let s = L1.b[o];
      for (let k = 0; k < nHid; ++k) s += L1.W[o * nHid + k] * h[i * nHid + k];
      z[o] = s;
    }
    const m = Math.max(...z);
    let sum = 0;
    for (let o = 0; o < nOut; ++o) sum += Math.exp(z[o] - m);
    for (let o = 0; o < nOut; ++o) dz[i * nOut + o] = (Math.exp(z[o] - m) / sum - (labels[i] === o ? 1 : 0)) / B;
  }
  const dW1 = new Float64Array(nOut * nHid), db1 = new Float64Array(nOut);
  const dW0 = new Float64Array(nHid * nIn), db0 = new Float64Array(nHid);
  const dh = new Float64Array(nHid);
  for (let i = 0; i < B; ++i) {
    dh.fill(0);
    for (let o = 0; o < nOut; ++o) {
      const g = dz[i * nOut + o];
      db1[o] += g;
      for (let k = 0; k < nHid; ++k) {
        dW1[o * nHid + k] += g * h[i * nHid + k];
        dh[k] += g * L1.W[o * nHid + k];
      }
    }
    for (let k = 0; k < nHid; ++k) {
      if (!(h[i * nHid + k] > 0)) continue;
      db0[k] += dh[k];
      for (let j = 0; j < nIn; ++j) dW0[k * nIn + j] += dh[k] * x[i * nIn + j];
    }
  }
  const out = new Float64Array(dW0.length + db0.length + dW1.length + db1.length);
  let at = 0;
  for (const g of [dW0, db0, dW1, db1]) for (let i = 0; i < g.length; ++i) out[at++] = -lr * g[i];
  return out;
}

function mlpParams(layers, seed) {
  const params = [];
  for (let l = 0; l < layers.length - 1; ++l) {
    const fin = layers[l], fout = layers[l + 1], bound = 1 / Math.sqrt(fin);
    params.push({ W: uniform(fin * fout, seed + 10 * l + 1, bound), b: uniform(fout, seed + 10 * l + 2, bound), fin, fout });
  }
  return params;
}

// ---- data directory ----

function writeF32(dir, name, arr) {
  fs.writeFileSync(path.join(dir, name), Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
}
function writeF64(dir, name, arr) {
  fs.writeFileSync(path.join(dir, name), Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
}
function readF32(dir, name) {
  const b = fs.readFileSync(path.join(dir, name));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
function readF64(dir, name) {
  const b = fs.readFileSync(path.join(dir, name));
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Writes every input and reference of the suite into dir; returns the manifest. */
function makeData(dir, log = () => {}) {
  fs.mkdirSync(dir, { recursive: true });
  const manifest = { sgemm: {}, lecture: {}, big: {}, train: {} };
  for (const n of WORKLOADS.sgemm.sizes) {
    const A = uniform(n * n, 1000 + n, 1), B = uniform(n * n, 2000 + n, 1);
    const rows = checkRows(n);
    writeF32(dir, `sgemm_${n}_A.f32`, A);
    writeF32(dir, `sgemm_${n}_B.f32`, B);
    writeF64(dir, `sgemm_${n}_ref.f64`, sgemmRef(A, B, n, rows));
    manifest.sgemm[n] = { rows };
    log(`data: sgemm n=${n}`);
  }
  for (const [name, seed] of [['lecture', 300], ['big', 700]]) {
    const { layers, batches } = WORKLOADS[name];
    const params = mlpParams(layers, seed);
    params.forEach((p, l) => {
      writeF32(dir, `${name}_W${l}.f32`, p.W);
      writeF32(dir, `${name}_b${l}.f32`, p.b);
    });
    const maxB = Math.max(...batches);
    const x = uniform(maxB * layers[0], seed + 99, 1);
    writeF32(dir, `${name}_x.f32`, x);
    manifest[name] = { layers, batches: {} };
    for (const b of batches) {
      const rows = checkRows(b);
      writeF64(dir, `${name}_${b}_ref.f64`, mlpRef(layers, params, x, rows));
      manifest[name].batches[b] = { rows };
    }
    log(`data: ${name} MLP`);
  }
  {
    const { layers, batches, lr } = WORKLOADS.train;
    const params = mlpParams(layers, 900);
    params.forEach((p, l) => {
      writeF32(dir, `train_W${l}.f32`, p.W);
      writeF32(dir, `train_b${l}.f32`, p.b);
    });
    const maxB = Math.max(...batches);
    const x = uniform(maxB * layers[0], 999, 1).map(Math.abs);  // pixel-like values in (0, 1]
    const r = rng(998);
    const labels = Float32Array.from({ length: maxB }, () => Math.floor(r() * layers[layers.length - 1]));
    writeF32(dir, 'train_x.f32', x);
    writeF32(dir, 'train_labels.f32', labels);
    manifest.train = { layers, lr, batches: {} };
    for (const b of batches) {
      const ref = trainStepRef(layers, params, x, labels, b, lr);
      writeF64(dir, `train_${b}_ref.f64`, ref);
      manifest.train.batches[b] = { rows: [0], cols: ref.length };
    }
    log('data: training step');
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return manifest;
}

/** ‖out − ref‖ / ‖ref‖ over the checked rows (ref holds those rows only). */
function relErr(out, ref, rows, cols) {
  let num = 0, den = 0;
  rows.forEach((i, r) => {
    for (let j = 0; j < cols; ++j) {
      const d = out[i * cols + j] - ref[r * cols + j];
      num += d * d;
      den += ref[r * cols + j] * ref[r * cols + j];
    }
  });
  return Math.sqrt(num / den);
}

// ---- timing ----

/**
 * Times `run` one call at a time. exact: that many calls after `warmup` calls; otherwise at
 * least minCalls calls and minSeconds seconds after a short warm-up. Promises are awaited
 * (only for peers whose API is asynchronous). Returns the per-call seconds.
 */
async function timeCalls(run, { exact = 0, warmup = 0, minCalls = 10, minSeconds = 2, isAsync = false }) {
  const now = () => Number(process.hrtime.bigint()) / 1e9;
  if (isAsync) {
    for (let i = 0; i < warmup; ++i) await run();
  } else {
    for (let i = 0; i < warmup; ++i) run();
  }
  const times = [];
  const start = now();
  while (exact ? times.length < exact : times.length < minCalls || now() - start < minSeconds) {
    const t = process.hrtime.bigint();
    if (isAsync) await run();
    else run();
    times.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  return times;
}

function stats(times) {
  const s = Float64Array.from(times).sort();
  return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1], calls: s.length };
}

module.exports = {
  WORKLOADS, TOLERANCE, SKIP_SECONDS, makeData, readF32, readF64, relErr, timeCalls, stats, checkRows,
};

'use strict';
/**
 * A benchmark worker for one JS peer: `node bench/worker.js <peer> <dataDir> [rss]`.
 * Reads one JSON command per stdin line ({id, workload, size}), answers each with one
 * `@@BENCH {json}` stdout line: the output is verified against the float64 reference first
 * (rel err < 1e-4), then timed call by call. For the training step the verified output is the
 * parameter change of the first step (ΔW0, Δb0, ΔW1, Δb1), so a wrong gradient cannot hide
 * behind the much larger weights. With `rss` it runs only the large MLP at batch
 * 1024 (for /usr/bin/time -v) and exits.
 * Peers' own console output goes to stderr, so it never mixes with the protocol.
 */
const readline = require('readline');
const path = require('path');
const C = require('./lib/common');

console.log = console.info = console.warn = console.error;
const [peerName, dataDir, mode] = process.argv.slice(2);
const THREADS = Number(process.env.BENCH_THREADS || 2);
const MIN_SECONDS = Number(process.env.BENCH_MIN_SECONDS || 2);

function reply(obj) {
  process.stdout.write(`@@BENCH ${JSON.stringify(obj)}\n`);
}

const manifest = require(path.join(path.resolve(dataDir), 'manifest.json'));
const cache = new Map();
function data(key, read) {
  if (!cache.has(key)) cache.set(key, read());
  return cache.get(key);
}
function mlpData(name) {
  return data(name, () => {
    const layers = manifest[name].layers;
    const params = layers.slice(0, -1).map((fin, l) => ({
      W: C.readF32(dataDir, `${name}_W${l}.f32`), b: C.readF32(dataDir, `${name}_b${l}.f32`), fin, fout: layers[l + 1],
    }));
    return { layers, params, x: C.readF32(dataDir, `${name}_x.f32`) };
  });
}

function trainData() {
  return data('train', () => {
    const layers = manifest.train.layers;
    const params = layers.slice(0, -1).map((fin, l) => ({
      W: C.readF32(dataDir, `train_W${l}.f32`), b: C.readF32(dataDir, `train_b${l}.f32`), fin, fout: layers[l + 1],
    }));
    return { layers, params, x: C.readF32(dataDir, 'train_x.f32'), labels: Int32Array.from(C.readF32(dataDir, 'train_labels.f32')) };
  });
}

async function measure(peer, workload, size) {
  let run, read, isAsync, rows, cols, ref, timing;
  if (workload === 'sgemm') {
    const n = size;
    const A = C.readF32(dataDir, `sgemm_${n}_A.f32`), B = C.readF32(dataDir, `sgemm_${n}_B.f32`);
    ({ run, read } = await peer.sgemm(A, B, n));
    rows = manifest.sgemm[n].rows;
    cols = n;
    ref = C.readF64(dataDir, `sgemm_${n}_ref.f64`);
    timing = { minCalls: 10, minSeconds: MIN_SECONDS, warmup: 1 };
  } else if (workload === 'train') {
    if (!peer.train) return { ok: false, error: 'no training API' };
    const d = trainData();
    const B = size;
    ({ run, read } = await peer.train(d.layers, d.params, B, d.x.subarray(0, B * d.layers[0]), d.labels.subarray(0, B), manifest.train.lr));
    ({ rows, cols } = manifest.train.batches[B]);
    ref = C.readF64(dataDir, `train_${B}_ref.f64`);
    timing = { minCalls: 10, minSeconds: MIN_SECONDS, warmup: 1 };
  } else {
    const d = mlpData(workload);
    const batch = size;
    ({ run, read } = await peer.mlp(d.layers, d.params, batch, d.x.subarray(0, batch * d.layers[0])));
    rows = manifest[workload].batches[batch].rows;
    cols = d.layers[d.layers.length - 1];
    ref = C.readF64(dataDir, `${workload}_${batch}_ref.f64`);
    timing = workload === 'lecture' && batch === 1 ? { exact: 10000, warmup: 1000 } : { minCalls: 10, minSeconds: MIN_SECONDS, warmup: 1 };
  }
  // Verify (this call also tells whether the API is asynchronous and how long a call takes).
  const t0 = process.hrtime.bigint();
  let r = run();
  isAsync = !!(r && typeof r.then === 'function');
  if (isAsync) r = await r;
  const first = Number(process.hrtime.bigint() - t0) / 1e9;
  const out = read ? read(r) : r;
  const relErr = C.relErr(out, ref, rows, cols);
  if (!(relErr < C.TOLERANCE)) return { ok: false, relErr, error: `verification failed: rel err ${relErr}` };
  if (first > C.SKIP_SECONDS) return { ok: true, relErr, skipped: `${first.toFixed(1)} s/call` };
  const times = await C.timeCalls(run, { ...timing, isAsync });
  return { ok: true, relErr, times, isAsync };
}

(async () => {
  const peer = require(`./peers/${peerName}`);
  const info = await peer.init({ threads: THREADS });
  if (mode === 'rss') {
    const res = await measure(peer, 'big', 1024);
    reply({ id: 'rss', info, ...res, times: undefined, calls: res.times ? res.times.length : 0 });
    process.exit(0);
  }
  reply({ id: 'ready', info });
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const cmd = JSON.parse(line);
    if (cmd.workload === 'exit') break;
    try {
      reply({ id: cmd.id, ...(await measure(peer, cmd.workload, cmd.size)) });
    } catch (e) {
      reply({ id: cmd.id, ok: false, error: String(e && e.stack ? e.stack : e) });
    }
  }
  process.exit(0);
})().catch((e) => {
  reply({ id: 'fatal', ok: false, error: String(e && e.stack ? e.stack : e) });
  process.exit(1);
});

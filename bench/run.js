#!/usr/bin/env node
'use strict';
/**
 * The CPU benchmark suite: tensornode against onnxruntime-node, NumPy/OpenBLAS and TensorFlow.js
 * (wasm and cpu backends) on the same workloads and data, in one run.
 *
 *   npm run bench                      everything (about 10 minutes), writes bench/RESULTS.md
 *   npm run bench -- --quick           shorter timing windows (0.5 s), no RESULTS.md update
 *   npm run bench -- --only sgemm,lecture --peers tensornode,numpy
 *
 * Workloads: SGEMM n = 128…2048 (GFLOP/s = 2n³/t); the lecture MLP 4→5→6→3 at batch 1 (latency,
 * 10,000 calls after 1,000 warm-up), 1024 and 65536; the 784→1024→1024→10 MLP at batch 1, 64,
 * 1024 (sigmoid between layers); one training step of the MNIST MLP 784→128→10 at batch 64
 * and 256 (tensornode and TensorFlow.js; onnxruntime-node and NumPy have no training API);
 * peak RSS of a separate process per peer that runs only the
 * large MLP at batch 1024 (/usr/bin/time -v). Every result is first verified against a float64
 * reference (rel err < 1e-4). Each peer runs in its own process, driven one workload size at a
 * time, so all peers meet each size back to back (the machine is shared: compare ratios within
 * one run). Medians with min–max; ratios and the targets last.
 */
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');
const C = require('./lib/common');

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const QUICK = flag('--quick');
const THREADS = Number(option('--threads') || 2);
const ONLY = (option('--only') || 'sgemm,lecture,big,train,rss').split(',');
const PEER_FILTER = option('--peers') ? option('--peers').split(',') : null;
const WRITE = !QUICK && !flag('--no-write') && !PEER_FILTER && !option('--only');
const ROOT = path.resolve(__dirname, '..');

const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);

// ---- peers ----
const node = process.execPath;
const worker = path.join(__dirname, 'worker.js');
function numpyEnv() {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(THREADS) };
  delete env.OPENBLAS_CORETYPE;  // let OpenBLAS pick its kernel for this CPU
  delete env.OPENBLAS_L2_SIZE;
  return env;
}
const PEERS = [
  { key: 'tensornode', cmd: [node, worker, 'tensornode'], env: { TENSORNODE_NUM_THREADS: String(THREADS) } },
  { key: 'tensornode-ops', cmd: [node, worker, 'tensornode'], env: { TENSORNODE_NUM_THREADS: String(THREADS), BENCH_TN_MODE: 'ops' }, only: ['lecture', 'big'] },
  { key: 'onnxruntime-node', cmd: [node, worker, 'onnxruntime-node'], noTrain: true },  // inference only
  { key: 'numpy', cmd: ['python3', path.join(__dirname, 'peers', 'numpy_bench.py')], envFn: numpyEnv, noTrain: true },
  { key: 'tfjs-wasm', cmd: [node, worker, 'tfjs'], env: { BENCH_TFJS_BACKEND: 'wasm' } },
  { key: 'tfjs-cpu', cmd: [node, worker, 'tfjs'], env: { BENCH_TFJS_BACKEND: 'cpu' } },
].filter((p) => !PEER_FILTER || PEER_FILTER.includes(p.key));

function peerEnv(p) {
  const base = p.envFn ? p.envFn() : { ...process.env };
  return { ...base, ...(p.env || {}), BENCH_THREADS: String(THREADS), BENCH_MIN_SECONDS: QUICK ? '0.5' : '2' };
}

class Worker {
  constructor(peer, dataDir) {
    this.peer = peer;
    this.pending = new Map();
    this.stderr = [];
    this.proc = spawn(peer.cmd[0], [...peer.cmd.slice(1), dataDir], { cwd: ROOT, env: peerEnv(peer), stdio: ['pipe', 'pipe', 'pipe'] });
    readline.createInterface({ input: this.proc.stdout }).on('line', (line) => {
      if (!line.startsWith('@@BENCH ')) return;
      const msg = JSON.parse(line.slice(8));
      const cb = this.pending.get(msg.id);
      if (cb) {
        this.pending.delete(msg.id);
        cb(msg);
      }
    });
    readline.createInterface({ input: this.proc.stderr }).on('line', (line) => {
      this.stderr.push(line);
      if (this.stderr.length > 50) this.stderr.shift();
    });
    this.exited = new Promise((resolve) => {
      const finish = (why) => {
        for (const cb of this.pending.values()) cb({ ok: false, error: `worker ${why}: ${this.stderr.slice(-5).join(' | ')}` });
        this.pending.clear();
        resolve(why);
      };
      this.proc.on('exit', (code) => finish(`exited (${code})`));
      this.proc.on('error', (e) => finish(`could not start (${e.message})`));  // e.g. no python3
    });
    this.proc.stdin.on('error', () => { /* the worker is gone; reported through exit */ });
    this.ready = this.wait('ready');
  }
  wait(id) {
    return new Promise((resolve) => this.pending.set(id, resolve));
  }
  async request(workload, size) {
    const id = `${workload}-${size}`;
    const p = this.wait(id);
    this.proc.stdin.write(`${JSON.stringify({ id, workload, size })}\n`);
    return p;
  }
  async close() {
    try {
      this.proc.stdin.write(`${JSON.stringify({ workload: 'exit' })}\n`);
    } catch { /* already gone */ }
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000))]);
    this.proc.kill();
  }
}

// ---- machine ----
function sh(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}
function machine() {
  const lscpu = sh('lscpu', []);
  const field = (name) => (lscpu.match(new RegExp(`^${name}:\\s*(.+)$`, 'm')) || [])[1] || '';
  const flags = field('Flags');
  return {
    date: new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
    cpu: field('Model name') || os.cpus()[0].model,
    family: `family ${field('CPU family')} model ${field('Model')}`,
    cores: `${field('CPU\\(s\\)') || os.cpus().length} logical CPUs, ${field('Thread\\(s\\) per core') || '?'} thread(s) per core`,
    simd: ['avx512f', 'avx2', 'fma'].filter((f) => flags.split(' ').includes(f)).join(', '),
    caches: ['L1d', 'L2', 'L3'].filter((c) => field(`${c} cache`)).map((c) => `${c} ${field(`${c} cache`)}`).join(', ') || 'caches not reported',
    memory: `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    load: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    node: process.version,
    python: sh('python3', ['--version']),
  };
}

// ---- formatting ----
const sig = (x, d = 3) => (x >= 10 ** d ? x.toFixed(0) : Number(x.toPrecision(d)).toString());
function count(x) {
  if (x >= 1e6) return `${sig(x / 1e6)}M`;
  if (x >= 1e3) return `${sig(x / 1e3)}k`;
  return sig(x);
}
const WORKLOAD_NAMES = ['sgemm', 'lecture', 'big', 'train'];

function cell(r, kind, size) {
  if (!r) return '–';
  if (!r.ok) return 'FAIL';
  if (r.skipped) return `skip (${r.skipped})`;
  const s = C.stats(r.times);
  switch (kind) {
    case 'gflops': {
      const f = (t) => (2 * size ** 3) / t / 1e9;
      return `**${sig(f(s.median))}** (${sig(f(s.max))}–${sig(f(s.min))})`;
    }
    case 'us': return `**${sig(s.median * 1e6)}** (${sig(s.min * 1e6)}–${sig(s.max * 1e6)})`;
    case 'ms': return `**${sig(s.median * 1e3)}** (${sig(s.min * 1e3)}–${sig(s.max * 1e3)})`;
    case 'rate': return `**${count(size / s.median)}** (${count(size / s.max)}–${count(size / s.min)})`;
    default: return '?';
  }
}
const med = (r) => (r && r.ok && r.times ? C.stats(r.times).median : NaN);

// ---- run ----
async function main() {
  const t0 = Date.now();
  const m = machine();
  log(`tensornode bench: ${m.cpu}, ${m.cores}; load ${m.load}; ${THREADS} threads${QUICK ? ' (quick)' : ''}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensornode-bench-'));
  C.makeData(dataDir, log);

  const results = {};  // results[peer][workload][size]
  const info = {};
  const workers = new Map();
  for (const p of PEERS) {
    const w = new Worker(p, dataDir);
    const ready = await Promise.race([w.ready, w.exited.then(() => null), new Promise((r) => setTimeout(() => r(null), 120000))]);
    if (!ready || ready.ok === false) {
      log(`  ${p.key}: unavailable (${ready ? ready.error : w.stderr.slice(-3).join(' | ')})`);
      info[p.key] = { unavailable: true, reason: ready ? ready.error : w.stderr.slice(-3).join(' | ') };
      await w.close();
      continue;
    }
    info[p.key] = ready.info;
    workers.set(p.key, w);
    results[p.key] = { sgemm: {}, lecture: {}, big: {}, train: {} };
    log(`  ${p.key}: ready (${JSON.stringify(ready.info).slice(0, 200)})`);
  }

  const plan = [];
  if (ONLY.includes('sgemm')) for (const n of C.WORKLOADS.sgemm.sizes) plan.push(['sgemm', n, n ** 3]);
  if (ONLY.includes('lecture')) for (const b of C.WORKLOADS.lecture.batches) plan.push(['lecture', b, b]);
  if (ONLY.includes('big')) for (const b of C.WORKLOADS.big.batches) plan.push(['big', b, b]);
  if (ONLY.includes('train')) for (const b of C.WORKLOADS.train.batches) plan.push(['train', b, b]);
  for (const [workload, size, work] of plan) {
    for (const [key, w] of workers) {
      const peerDef = PEERS.find((p) => p.key === key);
      if (peerDef.only && !peerDef.only.includes(workload)) continue;
      if (workload === 'train' && peerDef.noTrain) continue;
      // Skip a size whose predicted call time (from the previous size) exceeds the limit.
      const prev = Object.entries(results[key][workload]).pop();
      if (prev && prev[1].ok && prev[1].times) {
        const prevWork = workload === 'sgemm' ? Number(prev[0]) ** 3 : Number(prev[0]);
        const pred = med(prev[1]) * (work / prevWork);
        if (pred > C.SKIP_SECONDS) {
          results[key][workload][size] = { ok: true, skipped: `pred. ${sig(pred, 2)} s/call` };
          log(`  ${workload} ${size} ${key}: skipped (pred. ${pred.toFixed(1)} s/call)`);
          continue;
        }
      }
      if (prev && prev[1].skipped) {
        results[key][workload][size] = { ok: true, skipped: 'larger size skipped' };
        continue;
      }
      const r = await w.request(workload, size);
      results[key][workload][size] = r;
      const s = r.times ? C.stats(r.times) : null;
      log(`  ${workload} ${size} ${key}: ${r.ok ? (s ? `median ${(s.median * 1e3).toFixed(3)} ms over ${s.calls} calls, rel err ${r.relErr.toExponential(1)}` : r.skipped) : `FAILED ${r.error}`}`);
    }
  }
  await Promise.all([...workers.values()].map((w) => w.close()));

  // Peak RSS: one process per peer running only the large MLP at batch 1024.
  const rss = {};
  if (ONLY.includes('rss')) {
    const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
    for (const p of PEERS) {
      if ((info[p.key] && info[p.key].unavailable) || p.only) continue;
      const cmd = timeBin ? [timeBin, '-v', ...p.cmd, dataDir, 'rss'] : [...p.cmd, dataDir, 'rss'];
      const r = spawnSync(cmd[0], cmd.slice(1), { cwd: ROOT, env: peerEnv(p), encoding: 'utf8', maxBuffer: 64 << 20 });
      const line = (r.stdout || '').split('\n').find((l) => l.startsWith('@@BENCH '));
      const msg = line ? JSON.parse(line.slice(8)) : { ok: false, error: (r.stderr || '').slice(-300) };
      const kb = timeBin ? Number(((r.stderr || '').match(/Maximum resident set size \(kbytes\): (\d+)/) || [])[1]) : NaN;
      rss[p.key] = { ok: msg.ok && !msg.skipped && Number.isFinite(kb), mib: kb / 1024, calls: msg.calls, skipped: msg.skipped, error: msg.error };
      log(`  rss ${p.key}: ${rss[p.key].ok ? `${(kb / 1024).toFixed(0)} MiB (${msg.calls} calls)` : msg.skipped || msg.error || 'no /usr/bin/time'}`);
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true });

  const report = render(m, info, results, rss, (Date.now() - t0) / 1000);
  process.stdout.write(`${report.text}\n`);
  // Raw rows of the run: per result the verification error and the timing summary (seconds).
  const rows = {};
  for (const [k, byW] of Object.entries(results)) {
    rows[k] = {};
    for (const [w, bySize] of Object.entries(byW)) {
      rows[k][w] = {};
      for (const [size, r] of Object.entries(bySize))
        rows[k][w][size] = r.times ? { ok: r.ok, relErr: r.relErr, ...C.stats(r.times) } : { ok: r.ok, relErr: r.relErr, skipped: r.skipped, error: r.error };
    }
  }
  if (WRITE) fs.writeFileSync(path.join(__dirname, 'last-run.json'), `${JSON.stringify({ machine: m, info, results: rows, rss }, null, 1)}\n`);
  if (WRITE) {
    writeResults(report.markdown);
    log('wrote bench/RESULTS.md and bench/last-run.json');
  }
}

function render(m, info, results, rss, seconds) {
  const peers = Object.keys(results);
  const thr = (k) => (info[k] && info[k].threads !== undefined ? info[k].threads : '?');
  const out = [];
  out.push(`Run ${m.date} on ${m.cpu} (${m.family}; ${m.cores}; ${m.simd}; ${m.caches}; ${m.memory}), ` +
    `load average at start ${m.load}. Node ${m.node}, ${m.python}. Suite time ${(seconds / 60).toFixed(1)} min.`);
  out.push('');
  out.push('Versions: ' + Object.entries(info).map(([k, v]) => (v.unavailable ? `${k} unavailable (${v.reason})` :
    `${k} ${v.version}${v.blas ? ` (${v.blas}${v.corename ? `, ${v.corename} kernel` : ''})` : ''}`)).join(' · '));
  const tnIsa = info.tensornode && info.tensornode.details && info.tensornode.details.gemm;
  if (tnIsa) out.push(`tensornode GEMM kernels: ${typeof tnIsa === 'string' ? tnIsa : JSON.stringify(tnIsa)}`);
  out.push('');
  const sizes = C.WORKLOADS.sgemm.sizes;
  out.push('### SGEMM, GFLOP/s median (min–max), 2n³/t');
  out.push(`| peer | thr | ${sizes.map((n) => `n=${n}`).join(' | ')} |`);
  out.push(`|---|---|${sizes.map(() => '---').join('|')}|`);
  for (const k of peers) if (Object.keys(results[k].sgemm).length) out.push(`| ${k} | ${thr(k)} | ${sizes.map((n) => cell(results[k].sgemm[n], 'gflops', n)).join(' | ')} |`);
  out.push('');
  out.push('### Lecture MLP 4→5→6→3 (sigmoid between layers)');
  out.push('| peer | thr | b=1 latency µs | b=1024 samples/s | b=65536 samples/s |');
  out.push('|---|---|---|---|---|');
  for (const k of peers) {
    const L = results[k].lecture;
    out.push(`| ${k} | ${thr(k)} | ${cell(L[1], 'us')} | ${cell(L[1024], 'rate', 1024)} | ${cell(L[65536], 'rate', 65536)} |`);
  }
  out.push('');
  out.push('### MLP 784→1024→1024→10 (sigmoid between layers; 3.72 MFLOP/sample)');
  out.push('| peer | thr | b=1 µs | b=64 µs | b=64 samples/s | b=1024 ms | b=1024 samples/s | peak RSS MiB (b=1024 run) |');
  out.push('|---|---|---|---|---|---|---|---|');
  for (const k of peers) {
    const B = results[k].big;
    const r = rss[k];
    const rssCell = !r ? '–' : r.ok ? `${r.mib.toFixed(0)}` : r.skipped ? 'skip' : 'FAIL';
    out.push(`| ${k} | ${thr(k)} | ${cell(B[1], 'us')} | ${cell(B[64], 'us')} | ${cell(B[64], 'rate', 64)} | ${cell(B[1024], 'ms')} | ${cell(B[1024], 'rate', 1024)} | ${rssCell} |`);
  }
  out.push('');
  const T = C.WORKLOADS.train;
  const trainers = peers.filter((k) => Object.keys(results[k].train).length);
  if (trainers.length) {
    out.push(`### Training step: MNIST MLP ${T.layers.join('→')} (ReLU, softmax cross-entropy, SGD lr ${T.lr}), zeroGrad + forward + backward + step`);
    out.push(`| peer | thr | ${T.batches.map((b) => `b=${b} ms | b=${b} samples/s`).join(' | ')} |`);
    out.push(`|---|---|${T.batches.map(() => '---|---').join('|')}|`);
    for (const k of trainers) out.push(`| ${k} | ${thr(k)} | ${T.batches.map((b) => `${cell(results[k].train[b], 'ms')} | ${cell(results[k].train[b], 'rate', b)}`).join(' | ')} |`);
    out.push('');
  }
  const errs = [];
  for (const k of peers) for (const w of WORKLOAD_NAMES) for (const [s, r] of Object.entries(results[k][w]))
    if (r.relErr !== undefined) errs.push(r.relErr);
  if (errs.length) out.push(`Verification: every timed result matched its float64 reference, rel err ${Math.min(...errs).toExponential(1)} to ${Math.max(...errs).toExponential(1)} (limit ${C.TOLERANCE}).`);
  const failed = [];
  for (const k of peers) for (const w of WORKLOAD_NAMES) for (const [s, r] of Object.entries(results[k][w]))
    if (!r.ok) failed.push(`${k} ${w} ${s}: ${r.error}`);
  if (failed.length) out.push(`Failures: ${failed.join('; ')}`);
  out.push('');

  // ---- ratios and targets ----
  const tn = results.tensornode, ort = results['onnxruntime-node'], np = results.numpy;
  const lines = [];
  const targets = [];
  const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
  const fmtR = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a');
  if (tn && np) lines.push(`SGEMM tensornode / numpy (GFLOP/s): ${sizes.map((n) => `n=${n} ${fmtR(ratio(med(np.sgemm[n]), med(tn.sgemm[n])))}`).join(', ')}`);
  if (tn && ort) lines.push(`SGEMM tensornode / onnxruntime-node: ${sizes.map((n) => `n=${n} ${fmtR(ratio(med(ort.sgemm[n]), med(tn.sgemm[n])))}`).join(', ')}`);
  if (tn && ort) {
    lines.push(`Lecture MLP vs onnxruntime-node: b=1 latency ${fmtR(ratio(med(ort.lecture[1]), med(tn.lecture[1])))} faster, b=1024 ${fmtR(ratio(med(ort.lecture[1024]), med(tn.lecture[1024])))}, b=65536 ${fmtR(ratio(med(ort.lecture[65536]), med(tn.lecture[65536])))} (samples/s)`);
    lines.push(`Large MLP vs onnxruntime-node (samples/s): b=1 ${fmtR(ratio(med(ort.big[1]), med(tn.big[1])))}, b=64 ${fmtR(ratio(med(ort.big[64]), med(tn.big[64])))}, b=1024 ${fmtR(ratio(med(ort.big[1024]), med(tn.big[1024])))}`);
  }
  for (const tf of ['tfjs-wasm', 'tfjs-cpu'])
    if (tn && results[tf] && Object.keys(results[tf].train).length)
      lines.push(`Training step tensornode / ${tf} (samples/s): ${T.batches.map((b) => `b=${b} ${fmtR(ratio(med(results[tf].train[b]), med(tn.train[b])))}`).join(', ')}`);
  if (tn && np) lines.push(`Large MLP vs numpy (samples/s): b=1 ${fmtR(ratio(med(np.big[1]), med(tn.big[1])))}, b=64 ${fmtR(ratio(med(np.big[64]), med(tn.big[64])))}, b=1024 ${fmtR(ratio(med(np.big[1024]), med(tn.big[1024])))}`);
  const check = (name, value, goal, cmp, fmt) => {
    const ok = Number.isFinite(value) && (cmp === '>=' ? value >= goal : value <= goal);
    targets.push(`| ${name} | ${cmp} ${fmt(goal)} | ${Number.isFinite(value) ? fmt(value) : 'n/a'} | ${ok ? 'met' : '**missed**'} |`);
  };
  if (tn && np) check('SGEMM n=1024, tensornode / numpy GFLOP/s', ratio(med(np.sgemm[1024]), med(tn.sgemm[1024])), 0.95, '>=', (x) => `${x.toFixed(2)}×`);
  if (tn && ort) {
    check('Lecture MLP b=1 latency, onnxruntime-node / tensornode', ratio(med(ort.lecture[1]), med(tn.lecture[1])), 4, '>=', (x) => `${x.toFixed(2)}×`);
    check('Lecture MLP b=65536 samples/s, tensornode / onnxruntime-node', ratio(med(ort.lecture[65536]), med(tn.lecture[65536])), 1, '>=', (x) => `${x.toFixed(2)}×`);
    check('MLP 784-1024-1024-10 b=1024 samples/s, tensornode / onnxruntime-node', ratio(med(ort.big[1024]), med(tn.big[1024])), 1, '>=', (x) => `${x.toFixed(2)}×`);
  }
  if (rss.tensornode && rss['onnxruntime-node'] && rss.tensornode.ok && rss['onnxruntime-node'].ok)
    check('Peak RSS of the large-MLP run, tensornode / onnxruntime-node', rss.tensornode.mib / rss['onnxruntime-node'].mib, 1, '<=', (x) => `${x.toFixed(2)}×`);
  out.push('### Ratios (same run)');
  for (const l of lines) out.push(`- ${l}`);
  out.push('');
  out.push('### Targets');
  out.push('| target | goal | measured | |');
  out.push('|---|---|---|---|');
  out.push(...targets);
  const markdown = out.join('\n');
  return { markdown, text: markdown };
}

const BEGIN = '<!-- BEGIN GENERATED: bench/run.js rewrites this section -->';
const END = '<!-- END GENERATED -->';
function writeResults(md) {
  const file = path.join(__dirname, 'RESULTS.md');
  const gen = `${BEGIN}\n## Latest run\n\n${md}\n${END}`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `# tensornode CPU benchmarks\n\n${BEGIN}\n${END}\n\n## History\n`;
  const a = text.indexOf(BEGIN), b = text.indexOf(END);
  text = a >= 0 && b > a ? text.slice(0, a) + gen + text.slice(b + END.length) : `${text}\n${gen}\n`;
  fs.writeFileSync(file, text);
}

main().catch((e) => {
  log(e && e.stack ? e.stack : String(e));
  process.exit(1);
});

#!/usr/bin/env node
'use strict';
/**
 * RSS of plain synchronous loops: lecture-network forwards under tn.noGrad, and Adam training
 * steps, with no dispose(), no await and no --expose-gc — the pattern of a script that scores a
 * data set row by row or trains in a for loop. RSS is sampled inside the loop (synchronously);
 * the report gives RSS at each tenth of the loop, and the growth of the maximum after the
 * warm-up (the first 40%: V8 sizes its old space during the first ~40k training steps, and JIT
 * tiers settle) over the RSS at the end of the warm-up.
 *
 *   node bench/memory/sync_loops.js [--forwards 2000000] [--steps 100000] [--json] [--pkg DIR]
 *
 * Prints one line per loop (or a JSON object with --json, for the regression test in
 * test/hardening/sync_loops.test.ts, which runs it with smaller counts).
 */
const path = require('path');

const args = process.argv.slice(2);
const option = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const FORWARDS = Number(option('--forwards', 2000000));
const STEPS = Number(option('--steps', 100000));
const tn = require(path.resolve(option('--pkg', path.join(__dirname, '..', '..'))));
const { nn } = tn;

function lecture() {
  tn.manualSeed(42);
  return new nn.Sequential(new nn.Linear(4, 5), new nn.Sigmoid(), new nn.Linear(5, 6), new nn.Sigmoid(), new nn.Linear(6, 3));
}

const MiB = 2 ** 20;

/** Runs body(i) n times in one synchronous loop, sampling RSS 200 times. */
function measure(n, body) {
  const warm = Math.floor(n * 0.4);
  const every = Math.max(1, Math.floor(n / 200));
  const tenths = [];
  let afterWarmup = 0;
  let max = 0;
  let checksum = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; ++i) {
    checksum += body(i);
    if (i % every === 0 || i === n - 1) {
      const rss = process.memoryUsage.rss();
      if (i >= (tenths.length * n) / 10) tenths.push(rss / MiB);
      if (i < warm) continue;
      if (afterWarmup === 0) afterWarmup = rss;
      if (rss > max) max = rss;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!Number.isFinite(checksum)) throw new Error('non-finite results');
  return { n, tenthsMiB: tenths, afterWarmupMiB: afterWarmup / MiB, maxMiB: max / MiB, growthPct: ((max - afterWarmup) / afterWarmup) * 100, seconds };
}

const out = {};
{
  const model = lecture();
  const row = new Float32Array([0.1, 0.2, 0.3, 0.4]);
  out.forwards = measure(FORWARDS, (i) => {
    row[0] = i % 7;
    return tn.noGrad(() => model.forward(tn.tensor(row, { shape: [1, 4] }))).dataSync()[0];
  });
}
{
  const model = lecture();
  const opt = new tn.optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  const x = tn.rand(32, 4);
  const y = tn.randint(0, 3, [32]);
  out.trainingSteps = measure(STEPS, () => {
    opt.zeroGrad();
    const loss = lossFn.call(model.call(x), y);
    loss.backward();
    opt.step();
    return loss.item();
  });
}

if (args.includes('--json')) {
  process.stdout.write(JSON.stringify(out) + '\n');
} else {
  for (const [name, r] of Object.entries(out))
    console.log(`${name.padEnd(14)} n=${r.n}  RSS after warm-up ${r.afterWarmupMiB.toFixed(1)} MiB, max after ${r.maxMiB.toFixed(1)} MiB (${r.growthPct >= 0 ? '+' : ''}${r.growthPct.toFixed(1)}%), ${r.seconds.toFixed(1)} s; RSS by tenths (MiB): ${r.tenthsMiB.map((v) => v.toFixed(0)).join(' ')}`);
}

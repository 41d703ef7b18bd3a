// Time and peak RSS of reading one safetensors file, in a fresh process per measurement.
// Usage: node bench/io/parse.js <module> <file> [sync|async]
//   <module>: a compiled safetensors module exporting loadFileSync / loadFile (dist/lib/io)
// Prints one JSON line: outcome, wall ms, peak RSS MB (getrusage maxrss), and for async the
// event loop's longest stall (1 ms interval timer) and tick count while the load ran.
'use strict';
const path = require('path');

const [modPath, file, mode = 'sync'] = process.argv.slice(2);
const io = require(path.resolve(modPath));
const rss0 = process.resourceUsage().maxRSS / 1024;

function outcome(r) {
  const n = Object.keys(r.tensors).length;
  const m = r.metadata ? Object.keys(r.metadata).length : 0;
  return `loaded ${n} tensors, ${m} metadata keys`;
}

async function main() {
  const t0 = process.hrtime.bigint();
  let result;
  let ticks = 0;
  let longest = 0;
  let last = Number(process.hrtime.bigint()) / 1e6;
  const timer = setInterval(() => {
    const now = Number(process.hrtime.bigint()) / 1e6;
    longest = Math.max(longest, now - last);
    last = now;
    ticks++;
  }, 1);
  try {
    result = outcome(mode === 'async' ? await io.loadFile(file) : io.loadFileSync(file));
  } catch (e) {
    result = `error: ${String(e.message).slice(0, 160)}`;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const now = Number(process.hrtime.bigint()) / 1e6;
  longest = Math.max(longest, now - last);
  clearInterval(timer);
  const out = { file: path.basename(file), mode, ms: Math.round(ms * 10) / 10, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), baseRssMB: Math.round(rss0), result };
  if (mode === 'async') Object.assign(out, { ticks, longestStallMs: Math.round(longest * 10) / 10 });
  console.log(JSON.stringify(out));
}
main();

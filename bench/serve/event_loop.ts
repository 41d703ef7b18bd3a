/**
 * Event-loop responsiveness while a ~1 s forward runs: the same model and batch through the
 * synchronous forward and through forwardAsync, with perf_hooks.monitorEventLoopDelay sampling
 * at 1 ms resolution and a 1 ms interval timer counting how often the loop got to run.
 *
 *   npx ts-node -T bench/serve/event_loop.ts [--json out.json]
 */
import * as fs from 'fs';
import { monitorEventLoopDelay } from 'perf_hooks';
import * as tn from '../../lib/index';
import { nn } from '../../lib/index';

interface Row { mode: string; forwardMs: number; p50: number; p99: number; max: number; ticks: number; maxStallMs: number }

function model(): nn.Sequential {
  tn.manualSeed(0);
  return new nn.Sequential(new nn.Linear(784, 1024), new nn.Sigmoid(), new nn.Linear(1024, 1024), new nn.Sigmoid(), new nn.Linear(1024, 10)).eval();
}

async function measure(mode: string, run: () => Promise<unknown>): Promise<Row> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let ticks = 0;
  let last = performance.now();
  let maxStall = 0;
  // Our own measure next to the monitor's: the longest gap between two 1 ms timer callbacks
  // (the monitor can miss one long blocked stretch, whose delay lands in a dropped sample).
  const timer = setInterval(() => {
    const now = performance.now();
    maxStall = Math.max(maxStall, now - last);
    last = now;
    ticks++;
  }, 1);
  h.enable();
  // The monitor drops its first sample; let it start before the measured stretch.
  await new Promise((r) => setTimeout(r, 20));
  ticks = 0;
  maxStall = 0;
  h.reset();
  const t0 = performance.now();
  await run();
  const forwardMs = performance.now() - t0;
  // Let the monitor take the sample that covers a blocked stretch before reading it.
  await new Promise((r) => setTimeout(r, 20));
  h.disable();
  clearInterval(timer);
  const maxStallMs = Number(maxStall.toFixed(1));
  const ms = (ns: number): number => Number((ns / 1e6).toFixed(2));
  return { mode, forwardMs: Number(forwardMs.toFixed(1)), p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), ticks, maxStallMs };
}

async function main(): Promise<void> {
  const m = model();
  // Size the batch so one forward takes about a second on this machine.
  const probe = tn.rand(1024, 784);
  tn.noGrad(() => m.forward(probe));
  const t0 = performance.now();
  tn.noGrad(() => m.forward(probe));
  const rows = Math.max(1024, Math.round((1024 * 1000) / Math.max(performance.now() - t0, 1)));
  const x = tn.rand(rows, 784);
  await m.forwardAsync(x);  // warm up (compiles the plan)
  const rowsOut: Row[] = [];
  rowsOut.push(await measure('sync forward (noGrad)', async () => tn.noGrad(() => m.forward(x))));
  rowsOut.push(await measure('forwardAsync', () => m.forwardAsync(x)));
  console.log(`784→1024→1024→10 sigmoid MLP, batch ${rows}, ${tn.getNumThreads()} threads, device ${tn.device}`);
  console.log('| mode | forward ms | monitorEventLoopDelay p50 ms | p99 ms | max ms | 1 ms timer ticks | longest stall ms |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rowsOut) console.log(`| ${r.mode} | ${r.forwardMs} | ${r.p50} | ${r.p99} | ${r.max} | ${r.ticks} | ${r.maxStallMs} |`);
  const i = process.argv.indexOf('--json');
  if (i > 0) fs.writeFileSync(process.argv[i + 1], JSON.stringify({ rows, results: rowsOut }, null, 2));
}

void main();

/**
 * Helpers the training examples share (train_iris.ts, train_mnist.ts): a progress bar
 * (cli-progress on a terminal, one plain line per bar otherwise), accuracy, a seeded stratified
 * split, and a loss/accuracy-per-epoch chart written as a hand-made SVG (no plotting dependency).
 */
import * as fs from 'fs';
import * as path from 'path';

import * as tn from '../lib/index';
import { randperm } from '../lib/random';

// cli-progress ships no types; this is the part of its API the examples use.
interface CliBar {
  start(total: number, start: number, payload?: Record<string, string | number>): void;
  update(value: number, payload?: Record<string, string | number>): void;
  stop(): void;
}
interface CliProgress {
  SingleBar: new (options: Record<string, unknown>, preset?: unknown) => CliBar;
  Presets: { shades_classic: unknown };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cliProgress: CliProgress = require('cli-progress');

export interface Progress {
  update(value: number, payload: Record<string, string | number>): void;
  stop(): void;
}

/**
 * A progress bar from 0 to total showing `format`'s payload tokens (e.g. '{loss}'). Off a
 * terminal (CI, pipes) it prints the final state as one line when stopped; quiet prints nothing.
 */
export function progressBar(label: string, total: number, format: string, quiet = false): Progress {
  let last: Record<string, string | number> = {};
  let value = 0;
  if (quiet) return { update: () => undefined, stop: () => undefined };
  if (!process.stderr.isTTY) {
    return {
      update: (v, payload) => {
        value = v;
        last = payload;
      },
      stop: () => console.log(`${label} ${value}/${total} ${format.replace(/\{(\w+)\}/g, (_, k: string) => String(last[k] ?? ''))}`),
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label} |{bar}| {value}/{total} ${format}`, hideCursor: true, clearOnComplete: false, barsize: 30 },
    cliProgress.Presets.shades_classic,
  );
  // Every payload token shows '…' until the first update.
  bar.start(total, 0, Object.fromEntries([...format.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], '…'])));
  return { update: (v, payload) => bar.update(v, payload), stop: () => bar.stop() };
}

/** Number of rows of logits [N, C] whose argmax equals the int32 label. */
export function correctCount(logits: tn.Tensor, labels: tn.Tensor): number {
  return tn.noGrad(() => logits.argmax(1).eq(labels).sum().item());
}

/**
 * A stratified split: for every class, a seeded shuffle of its rows, the first `testFraction`
 * of them to the test set. Returns row indices.
 */
export function stratifiedSplit(labels: readonly number[], testFraction: number, generator: tn.Generator): { train: number[]; test: number[] } {
  const byClass = new Map<number, number[]>();
  labels.forEach((c, i) => byClass.set(c, [...(byClass.get(c) ?? []), i]));
  const train: number[] = [];
  const test: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = byClass.get(c)!;
    const order = randperm(rows.length, generator);
    const nTest = Math.round(rows.length * testFraction);
    order.forEach((k, j) => (j < nTest ? test : train).push(rows[k]));
  }
  return { train, test };
}

/** Per-feature mean and standard deviation (population) of rows. */
export function featureStats(rows: readonly number[][]): { mean: number[]; std: number[] } {
  const d = rows[0].length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  const std = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - m) ** 2, 0) / rows.length) || 1);
  return { mean, std };
}

// ---- the SVG chart ----

export interface TrainingHistory {
  /** Mean training loss per epoch. */
  loss: number[];
  /** Accuracy per epoch, in [0, 1]. */
  accuracy: number[];
}

/** Round tick steps: 1, 2 or 5 times a power of ten, about `count` ticks over [0, max]. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * An SVG line chart of loss (left axis) and accuracy (right axis, percent) per epoch, with axes,
 * ticks, grid lines and a legend.
 */
export function trainingChartSvg(title: string, history: TrainingHistory, accuracyLabel = 'test accuracy'): string {
  const W = 720, H = 420;
  const m = { left: 70, right: 70, top: 50, bottom: 60 };
  const pw = W - m.left - m.right, ph = H - m.top - m.bottom;
  const epochs = history.loss.length;
  const xTicks = niceTicks(epochs, 8).filter((t) => t >= 1 || epochs === 1);
  if (xTicks[0] !== 1) xTicks.unshift(1);
  const lossTicks = niceTicks(Math.max(...history.loss, 1e-6), 5);
  const lossMax = lossTicks[lossTicks.length - 1];
  const xMax = Math.max(epochs, xTicks[xTicks.length - 1]);
  const x = (epoch: number) => m.left + (xMax === 1 ? pw / 2 : ((epoch - 1) / (xMax - 1)) * pw);
  const yLoss = (v: number) => m.top + ph - (v / lossMax) * ph;
  const yAcc = (v: number) => m.top + ph - v * ph;
  const fmt = (v: number) => Number(v.toPrecision(4)).toString();
  const line = (values: number[], y: (v: number) => number) => values.map((v, i) => `${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="28" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`);
  // Grid and ticks.
  for (const t of lossTicks) {
    const y = yLoss(t).toFixed(1);
    out.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + pw}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${m.left - 5}" y1="${y}" x2="${m.left}" y2="${y}" stroke="black"/>`);
    out.push(`<text x="${m.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#1f77b4">${fmt(t)}</text>`);
  }
  for (let a = 0; a <= 100; a += 20) {
    const y = yAcc(a / 100).toFixed(1);
    out.push(`<line x1="${m.left + pw}" y1="${y}" x2="${m.left + pw + 5}" y2="${y}" stroke="black"/>`);
    out.push(`<text x="${m.left + pw + 8}" y="${y}" dominant-baseline="middle" fill="#d62728">${a}%</text>`);
  }
  for (const t of xTicks) {
    const xx = x(t).toFixed(1);
    out.push(`<line x1="${xx}" y1="${m.top + ph}" x2="${xx}" y2="${m.top + ph + 5}" stroke="black"/>`);
    out.push(`<text x="${xx}" y="${m.top + ph + 18}" text-anchor="middle">${t}</text>`);
  }
  // Axes.
  out.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}" stroke="black"/>`);
  out.push(`<line x1="${m.left + pw}" y1="${m.top}" x2="${m.left + pw}" y2="${m.top + ph}" stroke="black"/>`);
  out.push(`<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}" stroke="black"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${H - 18}" text-anchor="middle">epoch</text>`);
  out.push(`<text transform="translate(20 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#1f77b4">training loss</text>`);
  out.push(`<text transform="translate(${W - 16} ${m.top + ph / 2}) rotate(90)" text-anchor="middle" fill="#d62728">${escapeXml(accuracyLabel)}</text>`);
  // The two series.
  out.push(`<polyline points="${line(history.loss, yLoss)}" fill="none" stroke="#1f77b4" stroke-width="2"/>`);
  out.push(`<polyline points="${line(history.accuracy, yAcc)}" fill="none" stroke="#d62728" stroke-width="2"/>`);
  // Legend.
  const lx = m.left + pw - 190, ly = m.top + ph * 0.42;  // mid-height: loss curves end low, accuracy high
  out.push(`<rect x="${lx}" y="${ly - 4}" width="180" height="44" fill="white" stroke="#999"/>`);
  out.push(`<line x1="${lx + 10}" y1="${ly + 8}" x2="${lx + 40}" y2="${ly + 8}" stroke="#1f77b4" stroke-width="2"/>`);
  out.push(`<text x="${lx + 48}" y="${ly + 8}" dominant-baseline="middle">training loss</text>`);
  out.push(`<line x1="${lx + 10}" y1="${ly + 28}" x2="${lx + 40}" y2="${ly + 28}" stroke="#d62728" stroke-width="2"/>`);
  out.push(`<text x="${lx + 48}" y="${ly + 28}" dominant-baseline="middle">${escapeXml(accuracyLabel)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Writes text to file, creating its folder. */
export function writeFileMkdir(file: string, contents: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, contents);
}

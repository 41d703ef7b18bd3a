/**
 * Module.summary(inputShape): Keras' model.summary() for a Module. One forward on zeros of the
 * given shape (eval mode, no grad, so dropout draws nothing and the generator is left as it was)
 * records each module's output shape through forward hooks.
 *
 *   Layer (type)              Output Shape    Param #
 *   NeuralNetwork             [2, 3]          --
 *   deep_nn (Sequential)      [2, 3]          --
 *   deep_nn.0 (Linear)        [2, 5]          25
 *   ...
 *   Total params: 82
 */
import { noGrad } from '../autograd/grad_mode';
import { defaultDevice } from '../device';
import { zeros } from '../ops/creation';
import { checkShape } from '../shape';
import { Tensor } from '../tensor';
import type { Module, RemovableHandle } from './module';

export interface SummaryRow {
  /** Dotted path ('' for the root). */
  name: string;
  type: string;
  /** The output shape of the module's last call in the forward, or null (not a Tensor, or not called). */
  outputShape: number[] | null;
  /** Parameters the module owns itself (not its children's). */
  params: number;
}

export interface SummaryTable {
  rows: SummaryRow[];
  totalParams: number;
  trainableParams: number;
}

/** The rows and totals of the summary (what summarize prints). */
export function summaryTable(model: Module, inputShape: readonly number[]): SummaryTable {
  const shape = checkShape('summary', inputShape, 'inputShape');
  const mods = model.namedModules();
  const outputs = new Map<Module, number[] | null>();
  const handles: RemovableHandle[] = mods.map(([, m]) =>
    m.registerForwardHook((mod, _inputs, out) => void outputs.set(mod, out instanceof Tensor ? out.shape.slice() : null)),
  );
  const modes = mods.map(([, m]) => m.training);
  try {
    model.eval();
    const device = model.parameters()[0]?.device ?? model.buffers()[0]?.device ?? defaultDevice();
    noGrad(() => model.forward(zeros(shape, { device })));
  } finally {
    for (const h of handles) h.remove();
    mods.forEach(([, m], i) => (m.training = modes[i]));
  }
  const rows = mods.map(([name, m]) => ({
    name,
    type: m.constructor.name,
    outputShape: outputs.get(m) ?? null,
    params: m.parameters(false).reduce((n, p) => n + p.numel(), 0),
  }));
  const params = model.parameters();
  return {
    rows,
    totalParams: params.reduce((n, p) => n + p.numel(), 0),
    trainableParams: params.reduce((n, p) => n + (p.requiresGrad ? p.numel() : 0), 0),
  };
}

const count = (n: number): string => n.toLocaleString('en-US');

/** The printed summary table. */
export function summarize(model: Module, inputShape: readonly number[]): string {
  const t = summaryTable(model, inputShape);
  const mods = new Map(model.namedModules());
  const cells = t.rows.map((r) => [
    r.name ? `${r.name} (${r.type})` : r.type,
    r.outputShape ? `[${r.outputShape.join(', ')}]` : '--',
    r.params === 0 && (mods.get(r.name)?._modules.size ?? 0) > 0 ? '--' : count(r.params),
  ]);
  const head = ['Layer (type)', 'Output Shape', 'Param #'];
  const w0 = Math.max(head[0].length, ...cells.map((c) => c[0].length)) + 4;
  const w1 = Math.max(head[1].length, ...cells.map((c) => c[1].length)) + 4;
  const w2 = Math.max(head[2].length, ...cells.map((c) => c[2].length));
  const line = (c: string[]): string => c[0].padEnd(w0) + c[1].padEnd(w1) + c[2].padStart(w2);
  const rule = (ch: string): string => ch.repeat(w0 + w1 + w2);
  return [
    rule('='),
    line(head),
    rule('='),
    ...cells.map(line),
    rule('='),
    `Total params: ${count(t.totalParams)}`,
    `Trainable params: ${count(t.trainableParams)}`,
    `Non-trainable params: ${count(t.totalParams - t.trainableParams)}`,
    rule('='),
  ].join('\n');
}

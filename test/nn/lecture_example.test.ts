/**
 * examples/lecture_mlp.ts prints what the lecture's PyTorch program prints: the whole stdout is
 * compared with a golden (seed 42, CPU). The golden's numbers come from PyTorch's generator rule
 * (pytorch-formats d3), cross-checked with an independent MT19937 derivation; its layout is
 * PyTorch's print(model) and tensor repr.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { devicesUnderTest } from '../helpers/devices';

const root = path.resolve(__dirname, '../..');
const tsNode = path.join(root, 'node_modules', '.bin', 'ts-node');
const golden = fs.readFileSync(path.join(__dirname, 'golden', 'lecture_mlp.cpu.txt'), 'utf8');

function runExample(device: 'cpu' | 'cuda', args = ['examples/lecture_mlp.ts']): Promise<string> {
  return new Promise((resolve, reject) => {
    // Transpile-only: `npm test` type-checks the examples with tsc already.
    execFile(tsNode, ['-T', ...args], { cwd: root, env: { ...process.env, TENSORNODE_DEVICE: device }, timeout: 120000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

const numbers = (s: string): string[] => s.match(/-?\d+\.\d{4}/g) ?? [];

test('npx ts-node examples/lecture_mlp.ts prints the PyTorch lecture output (CPU)', async () => {
  expect(await runExample('cpu')).toBe(golden);
}, 120000);

test('the golden has the lecture parts', () => {
  expect(golden.startsWith('Using cpu device\nNeuralNetwork(\n  (deep_nn): Sequential(\n    (0): Linear(in_features=4, out_features=5, bias=True)\n')).toBe(true);
  expect(golden).toContain(
    'Layer: deep_nn.0.weight | Size: torch.Size([5, 4]) | Values : tensor([[ 0.3823,  0.4150, -0.1171,  0.4593],\n' +
      '        [-0.1096,  0.1009, -0.2434,  0.2936]], grad_fn=<SliceBackward0>) \n\n',
  );
  expect(golden.endsWith('tensor([[ 0.4171, -0.1059, -0.9049],\n        [ 0.4166, -0.1057, -0.9004]], grad_fn=<AddmmBackward0>)\n')).toBe(true);
});

const cuda = devicesUnderTest().find((d) => d.device === 'cuda')!;
(cuda.run ? test : test.skip)('on CUDA it prints the same model and values, with device suffixes', async () => {
  const out = await runExample('cuda');
  expect(out.startsWith('Using cuda device\n')).toBe(true);
  expect(out).toContain(golden.split('\n').slice(1, 10).join('\n'));
  expect(out).toContain("device='cuda:0'");
  expect(numbers(out)).toEqual(numbers(golden));
}, 120000);

test('examples/load_weights.ts saves, loads into a fresh model and gets equal outputs', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tn-ex-')), 'lecture.safetensors');
  const out = await runExample('cpu', ['examples/load_weights.ts', file]);
  expect(out).toContain(`Saved 6 tensors to ${file}`);
  expect(out).toContain('Loaded keys (file order): deep_nn.0.bias, deep_nn.0.weight, deep_nn.2.bias, deep_nn.2.weight, deep_nn.4.bias, deep_nn.4.weight');
  expect(out).toContain('<All keys matched successfully>');
  expect(out.trimEnd().endsWith('Outputs equal: true')).toBe(true);
  expect(fs.statSync(file).size).toBe(768);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
}, 120000);

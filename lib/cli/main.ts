#!/usr/bin/env node
/**
 * `npx tensornode info [--json]`: prints which device tensornode picks and why.
 * Exits 1 when TENSORNODE_DEVICE asks for a device that cannot be used.
 */
import { info } from '../info';

function main(argv: string[]): number {
  const [cmd = 'info', ...rest] = argv;
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log('usage: tensornode info [--json]   show the device decision, backends and versions');
    return 0;
  }
  if (cmd !== 'info') {
    console.error(`tensornode: unknown command "${cmd}" (try: tensornode info)`);
    return 2;
  }
  const i = info();
  if (rest.includes('--json')) {
    console.log(JSON.stringify(i, null, 2));
    return i.error ? 1 : 0;
  }
  const lines = [
    `tensornode ${i.version} (node ${i.node}, N-API ${i.napi})`,
    `device:    ${i.device}  (${i.reason})`,
    `requested: ${i.requested}${process.env.TENSORNODE_DEVICE ? ` (TENSORNODE_DEVICE=${process.env.TENSORNODE_DEVICE})` : ''}`,
    `backends:  ${i.backends.join(', ')}`,
    `cpu:       ${i.cpu.name}, ${i.cpu.threads} threads`,
    `cuda:      ${
      !i.cuda.compiled ? 'not compiled in' : i.cuda.usable ? `${i.cuda.deviceCount} device(s): ${i.cuda.deviceName}; ${i.cuda.details}` : `unusable: ${i.cuda.reason}`
    }`,
    `addon:     ${i.addon}`,
  ];
  console.log(lines.join('\n'));
  if (i.error) {
    console.error(`error: ${i.error}`);
    return 1;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));

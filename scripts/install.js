#!/usr/bin/env node
// Builds the native addon at `npm install`: cmake-js (CPU + CUDA when nvcc is found) when cmake
// is on PATH, otherwise node-gyp with binding.gyp (CPU only). Everything is offline: Node's
// headers come from the local installation (cmake-js: package.json binary.napi_versions).
//   TENSORNODE_CUDA=OFF            build without the CUDA backend
//   TENSORNODE_CUDA_ARCHS="90"     CUDA architectures (default 75-real;80-real;86-real;89-real;90)
//   TENSORNODE_BUILD=gyp           force the node-gyp build
//   TENSORNODE_SANITIZE=address,undefined   sanitizer build (cmake only)
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');

function has(cmd) {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error) throw r.error;
  return r.status === 0;
}

function buildWithCmake() {
  const cli = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
  const args = [cli, 'compile', '--out', 'build'];
  const cuda = (process.env.TENSORNODE_CUDA || '').toUpperCase();
  if (cuda === 'OFF' || cuda === '0' || cuda === 'FALSE') args.push('--CDTENSORNODE_CUDA=OFF');
  if (process.env.TENSORNODE_CUDA_ARCHS) args.push(`--CDCMAKE_CUDA_ARCHITECTURES=${process.env.TENSORNODE_CUDA_ARCHS}`);
  if (process.env.TENSORNODE_SANITIZE) args.push(`--CDTENSORNODE_SANITIZE=${process.env.TENSORNODE_SANITIZE}`);
  return run(process.execPath, args);
}

function buildWithGyp() {
  // npm exposes its bundled node-gyp here; a global node-gyp is the second choice.
  const gyp = process.env.npm_config_node_gyp;
  if (gyp) return run(process.execPath, [gyp, 'rebuild']);
  if (has('node-gyp')) return run('node-gyp', ['rebuild']);
  console.error('tensornode: neither cmake nor node-gyp found; install cmake (apt-get install cmake) and rerun npm install');
  return false;
}

const forceGyp = (process.env.TENSORNODE_BUILD || '').toLowerCase() === 'gyp';
let ok;
if (!forceGyp && has('cmake')) {
  ok = buildWithCmake();
} else {
  console.log(`tensornode: ${forceGyp ? 'TENSORNODE_BUILD=gyp' : 'cmake not found'}; building the CPU-only addon with node-gyp (binding.gyp)`);
  ok = buildWithGyp();
}
process.exit(ok ? 0 : 1);

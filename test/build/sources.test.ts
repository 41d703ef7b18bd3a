// binding.gyp (the fallback build) must compile exactly the CPU sources CMake does.
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');

function cmakeCpuSources(): string[] {
  const text = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8');
  const m = /set\(TN_CPU_SOURCES([\s\S]*?)\)/.exec(text);
  if (!m) throw new Error('TN_CPU_SOURCES not found in CMakeLists.txt');
  return m[1].split(/\s+/).filter(Boolean).sort();
}

function gypSources(): string[] {
  // binding.gyp is a Python literal with comments; strip comments before JSON.parse.
  const text = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8').replace(/^\s*#.*$/gm, '');
  const gyp = JSON.parse(text) as { targets: { sources: string[] }[] };
  return gyp.targets[0].sources.slice().sort();
}

test('binding.gyp and CMakeLists.txt build the same CPU sources', () => {
  expect(gypSources()).toEqual(cmakeCpuSources());
});

test('every CPU and addon source file is listed', () => {
  const onDisk = ['native/core', 'native/cpu', 'native/addon']
    .flatMap((dir) => fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.cc')).map((f) => `${dir}/${f}`))
    .sort();
  expect(cmakeCpuSources()).toEqual(onDisk);
});

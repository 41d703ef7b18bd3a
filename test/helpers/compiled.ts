/**
 * A plain-JS copy of lib/ for code that cannot use ts-jest (worker_threads, child processes):
 * every lib/**\/*.ts is transpiled once per test process into a temp folder (fast, no type
 * check), with a package.json and the addon path so the loader finds the built addon.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { addonPath } from '../../lib/binding';

const root = path.resolve(__dirname, '../..');
let cached: string | null = null;

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** Returns the folder holding the transpiled package (require(`${dir}/lib/index.js`)). */
export function compiledPackage(): string {
  if (cached) return cached;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tn-lib-'));
  for (const file of walk(path.join(root, 'lib'))) {
    const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    }).outputText;
    const dest = path.join(out, path.relative(root, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, js);
  }
  fs.copyFileSync(path.join(root, 'package.json'), path.join(out, 'package.json'));
  // The loaded addon (whichever build it is) at the path the loader looks first.
  fs.mkdirSync(path.join(out, 'build', 'Release'), { recursive: true });
  fs.symlinkSync(addonPath, path.join(out, 'build', 'Release', 'tensornode.node'));
  cached = out;
  return out;
}

/** tn.compile: explicit, guarded traces of custom modules into native plans (compile.ts). */
export { compile, CompiledModule, CompileError } from './compile';

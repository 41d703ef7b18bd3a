/**
 * Shape errors re-labelled with the module that raised them, in PyTorch's words plus the path:
 * `Linear (deep_nn.2): mat1 and mat2 shapes cannot be multiplied (2x4 and 5x6)`.
 * The innermost module labels the error; outer modules pass a labelled error through unchanged.
 */
import { ShapeError } from '../errors';

/** A ShapeError from an op inside a module's forward, naming the module class and its dotted path. */
export class ModuleShapeError extends ShapeError {
  /** The class name of the module whose forward raised it, e.g. 'Linear'. */
  readonly moduleName: string;
  /** The module's dotted path in its root model, e.g. 'deep_nn.2' ('' for a root module). */
  readonly modulePath: string;

  constructor(cause: ShapeError, moduleName: string, modulePath: string) {
    super(cause.op, cause.detail);
    this.moduleName = moduleName;
    this.modulePath = modulePath;
    this.message = `${moduleName}${modulePath ? ` (${modulePath})` : ''}: ${cause.detail}`;
    this.cause = cause;
    // Keep the frames of the op that failed: they point at the real call site.
    const stack = cause.stack ?? '';
    const at = stack.indexOf('\n    at ');
    this.stack = `${this.name}: ${this.message}${at >= 0 ? stack.slice(at) : ''}`;
  }
}

/** What a module's forward re-throws for error e: labelled once, at the innermost module. */
export function labelError(e: unknown, moduleName: string, path: () => string): unknown {
  if (!(e instanceof ShapeError) || e instanceof ModuleShapeError) return e;
  return new ModuleShapeError(e, moduleName, path());
}

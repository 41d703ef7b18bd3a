/** Whether ops record the graph: `tn.noGrad(fn)` / `tn.enableGrad(fn)` like torch.no_grad / enable_grad. */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

export function setGradEnabled(on: boolean): void {
  enabled = on;
}

function withMode<T>(on: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = on;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    enabled = prev;
    throw e;
  }
  if (result instanceof Promise) {
    // For async callbacks the mode covers the synchronous part only (as in PyTorch, a
    // context manager cannot follow an awaited continuation); restore when it settles.
    enabled = prev;
    return result;
  }
  enabled = prev;
  return result;
}

/**
 * Runs fn without recording gradients.
 * @example const y = tn.noGrad(() => model.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/**
 * Runs fn with gradient recording on, even inside noGrad.
 * @example tn.noGrad(() => tn.enableGrad(() => x.mul(2)));
 */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}

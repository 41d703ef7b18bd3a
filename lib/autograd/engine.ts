/**
 * Reverse-mode differentiation over the GradFn graph: a topological order from the root, then
 * gradients flow from outputs to inputs, summed where a tensor feeds several ops; leaves that
 * require grad accumulate into `.grad` (PyTorch's AccumulateGrad).
 */
import type { Tensor } from '../tensor';
import { noGrad } from './grad_mode';

function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative post-order DFS: deep graphs (long training chains) must not overflow the stack.
  const stack: { t: Tensor; next: number }[] = [{ t: root, next: 0 }];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const inputs = top.t.gradFn ? top.t.gradFn.inputs : [];
    if (top.next < inputs.length) {
      const child = inputs[top.next++];
      if (child && !seen.has(child)) {
        seen.add(child);
        stack.push({ t: child, next: 0 });
      }
    } else {
      order.push(top.t);
      stack.pop();
    }
  }
  return order.reverse();  // root first
}

function accumulate(into: Map<Tensor, Tensor>, t: Tensor, g: Tensor): void {
  const prev = into.get(t);
  into.set(t, prev ? prev.add(g) : g);
}

export function runBackward(root: Tensor, gradient: Tensor, retainGraph: boolean): void {
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, gradient]]);
  noGrad(() => {
    for (const t of order) {
      const g = grads.get(t);
      if (!g) continue;
      if (!t.gradFn) {
        // A leaf: AccumulateGrad.
        // A fresh contiguous tensor, never an alias of the caller's gradient or a broadcast view.
        if (t.requiresGrad) t.grad = t.grad ? t.grad.add(g) : g === gradient || !g.isContiguous() ? g.clone() : g;
        continue;
      }
      if (t.retainsGrad) t.grad = t.grad ? t.grad.add(g) : g;
      const fn = t.gradFn;
      const inputGrads = fn.apply(g);
      fn.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (input && gi) accumulate(grads, input, gi);
      });
      grads.delete(t);
      // What this node saved for backward is used: free it now, not when backward ends, so
      // peak memory is what is still ahead in the graph (this keeps device memory bounded too).
      if (!retainGraph) fn.release();
    }
    if (!retainGraph) for (const t of order) t.gradFn?.release();
  });
}

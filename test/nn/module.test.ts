/**
 * nn.Module: registration in assignment order (class fields, constructor assignment,
 * reassignment, deletion, explicit register*), the one walker (namedModules / namedParameters /
 * stateDict / buffers), shared modules, modes, devices, gradients, hooks and printing.
 */
import { inspect } from 'util';

import * as tn from '../../lib/index';
import * as nn from '../../lib/nn';

class FieldNet extends nn.Module {
  b = new nn.Linear(2, 3);
  a = new nn.Linear(3, 1);
  act = new nn.ReLU();
  forward(x: tn.Tensor): tn.Tensor {
    return this.a.forward(this.act.forward(this.b.forward(x)));
  }
}

class CtorNet extends nn.Module {
  declare z: nn.Linear;
  declare y: nn.Parameter;
  declare x: nn.Linear;
  constructor() {
    super();
    this.z = new nn.Linear(2, 2);
    this.y = new nn.Parameter(tn.zeros(2));
    this.x = new nn.Linear(2, 2);
  }
  forward(v: tn.Tensor): tn.Tensor {
    return this.x.forward(this.z.forward(v).add(this.y));
  }
}

const names = (pairs: [string, unknown][]): string[] => pairs.map(([n]) => n);

describe('registration order', () => {
  test('TS class fields register in declaration order (ES2022 define semantics)', () => {
    const m = new FieldNet();
    expect(names(m.namedChildren())).toEqual(['b', 'a', 'act']);
    expect(names(m.namedParameters())).toEqual(['b.weight', 'b.bias', 'a.weight', 'a.bias']);
    expect(m.b).toBeInstanceOf(nn.Linear);
  });

  test('constructor assignment registers in assignment order, parameters and modules apart', () => {
    const m = new CtorNet();
    expect(names(m.namedChildren())).toEqual(['z', 'x']);
    expect(names(m.namedParameters())).toEqual(['y', 'z.weight', 'z.bias', 'x.weight', 'x.bias']);
    expect(Object.keys(m.stateDict())).toEqual(['y', 'z.weight', 'z.bias', 'x.weight', 'x.bias']);
  });

  test('integer-like names keep assignment order (not JS own-key order)', () => {
    class Odd extends nn.Module {
      constructor() {
        super();
        (this as unknown as Record<string, nn.Module>)['10'] = new nn.Identity();
        (this as unknown as Record<string, nn.Module>)['2'] = new nn.Identity();
        (this as unknown as Record<string, nn.Module>).k = new nn.Identity();
      }
    }
    expect(names(new Odd().namedChildren())).toEqual(['10', '2', 'k']);
  });

  test('reassignment keeps the position; null keeps the name; delete removes', () => {
    const m = new FieldNet();
    const fresh = new nn.Linear(2, 3);
    m.b = fresh;
    expect(names(m.namedChildren())).toEqual(['b', 'a', 'act']);
    expect(m.namedChildren()[0][1]).toBe(fresh);
    (m as unknown as { a: nn.Module | null }).a = null;
    expect(names(m.namedChildren())).toEqual(['b', 'act']);
    expect(String(m)).toContain('(a): None');
    delete (m as unknown as { act?: nn.Module }).act;
    expect(names(m.namedChildren())).toEqual(['b']);
    expect(m.modules().length).toBe(2);
  });

  test('a Parameter replacing a module moves it from modules to parameters', () => {
    const m = new FieldNet();
    (m as unknown as { a: unknown }).a = new nn.Parameter(tn.ones(1));
    expect(names(m.namedChildren())).toEqual(['b', 'act']);
    expect(names(m.namedParameters('', false))).toEqual(['a']);
  });

  test('assigning a non-module to a module name throws TypeError, like PyTorch', () => {
    const m = new FieldNet();
    expect(() => ((m as unknown as { a: unknown }).a = 5)).toThrow(TypeError);
    expect(() => ((m as unknown as { a: unknown }).a = 5)).toThrow("cannot assign 5 of type number as child module 'a' (nn.Module or null expected)");
    const c = new CtorNet();
    expect(() => ((c as unknown as { y: unknown }).y = tn.zeros(2))).toThrow("as parameter 'y' (nn.Parameter or null expected)");
  });

  test('#private fields, getters and parameter properties work on the registered object', () => {
    class Priv extends nn.Module {
      #calls = 0;
      fc = new nn.Linear(2, 2);
      constructor(private readonly scale: number) {
        super();
      }
      get calls(): number {
        return this.#calls;
      }
      forward(x: tn.Tensor): tn.Tensor {
        this.#calls++;
        return this.fc.forward(x).mul(this.scale);
      }
    }
    const m = new Priv(2);
    m.call(tn.ones(1, 2));
    m.forward(tn.ones(1, 2));
    expect(m.calls).toBe(2);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['fc.weight', 'fc.bias']);
  });

  test('plain values and tensors stay plain properties', () => {
    class P extends nn.Module {
      scale = 3;
      t = tn.ones(2);
    }
    const p = new P();
    expect(p.parameters()).toEqual([]);
    expect(p.buffers()).toEqual([]);
    expect(p.scale).toBe(3);
  });

  test('a module or parameter may not shadow a method', () => {
    class Bad extends nn.Module {
      constructor() {
        super();
        (this as unknown as Record<string, unknown>).train = new nn.Linear(1, 1);
      }
    }
    expect(() => new Bad()).toThrow("attribute 'train' already exists");
  });

  test('registerModule / registerParameter / registerBuffer', () => {
    const m = new nn.Module();
    m.registerModule('fc', new nn.Linear(2, 2));
    m.registerParameter('scale', new nn.Parameter(tn.ones(1)));
    m.registerParameter('none', null);
    m.registerBuffer('running', tn.zeros(2));
    m.registerBuffer('tmp', tn.zeros(1), false);
    expect(names(m.namedParameters())).toEqual(['scale', 'fc.weight', 'fc.bias']);
    expect(names(m.namedBuffers())).toEqual(['running', 'tmp']);
    expect(Object.keys(m.stateDict())).toEqual(['scale', 'running', 'fc.weight', 'fc.bias']);
    const r = m as unknown as { running: tn.Tensor; fc: nn.Linear };
    expect(r.fc).toBeInstanceOf(nn.Linear);
    r.running = tn.ones(2);
    expect(m.namedBuffers()[0][1]).toBe(r.running);
    expect(() => m.registerModule('a.b', new nn.Identity())).toThrow('module name can\'t contain ".", got: a.b');
    expect(() => m.registerModule('', new nn.Identity())).toThrow('module name can\'t be empty string ""');
    expect(() => m.registerModule('scale', new nn.Identity())).toThrow("attribute 'scale' already exists");
    expect(() => m.registerModule('x', 3 as unknown as nn.Module)).toThrow('3 of type number is not a Module subclass');
    expect(() => m.registerParameter('p', tn.ones(1) as unknown as nn.Parameter)).toThrow(TypeError);
    expect(() => m.registerBuffer('b', 7 as unknown as tn.Tensor)).toThrow(TypeError);
  });
});

describe('the walker', () => {
  test('shared modules and parameters are listed once; stateDict keeps every name, as PyTorch', () => {
    const shared = new nn.Linear(2, 2);
    const m = new nn.Sequential(shared, new nn.Sigmoid(), shared);
    expect(names(m.namedModules())).toEqual(['', '0', '1']);
    expect(names(m.namedModules('', false))).toEqual(['', '0', '1', '2']);
    expect(names(m.namedParameters())).toEqual(['0.weight', '0.bias']);
    expect(m.parameters().length).toBe(2);
    expect(m.children().length).toBe(2);
    expect(Object.keys(m.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
  });

  test('a parameter shared by two modules is counted once', () => {
    const a = new nn.Linear(2, 2);
    const b = new nn.Linear(2, 2);
    b.weight = a.weight;
    const m = new nn.Sequential(a, b);
    expect(names(m.namedParameters())).toEqual(['0.weight', '0.bias', '1.bias']);
  });

  test('namedParameters prefix / recurse, modules, children, apply order', () => {
    const m = new FieldNet();
    expect(names(m.namedParameters('net'))).toEqual(['net.b.weight', 'net.b.bias', 'net.a.weight', 'net.a.bias']);
    expect(m.namedParameters('', false)).toEqual([]);
    expect(m.modules().map((x) => x.constructor.name)).toEqual(['FieldNet', 'Linear', 'Linear', 'ReLU']);
    const seen: string[] = [];
    m.apply((x) => void seen.push(x.constructor.name));
    expect(seen).toEqual(['Linear', 'Linear', 'ReLU', 'FieldNet']);
  });

  test('stateDict values are detached views of the parameters', () => {
    const fc = new nn.Linear(3, 2);
    const sd = fc.stateDict();
    expect(sd.weight).not.toBe(fc.weight);
    expect(sd.weight).not.toBeInstanceOf(nn.Parameter);
    expect(sd.weight.requiresGrad).toBe(false);
    expect(sd.weight.storage).toBe(fc.weight.storage);
    expect(String(sd.bias)).not.toContain('requires_grad');
    expect(fc.stateDict({ keepVars: true }).weight).toBe(fc.weight);
  });

  test('a module that contains itself is reported, not a stack overflow', () => {
    const s = new nn.Sequential(new nn.Identity());
    s.append(new nn.Sequential(s));
    expect(() => s.stateDict()).toThrow('contains itself');
  });
});

describe('modes, devices, gradients', () => {
  test('training starts true; train(false) / eval() reach every descendant', () => {
    const m = new FieldNet();
    expect(m.modules().every((x) => x.training)).toBe(true);
    expect(m.eval()).toBe(m);
    expect(m.modules().every((x) => !x.training)).toBe(true);
    m.train();
    expect(m.modules().every((x) => x.training)).toBe(true);
    expect(() => m.train('no' as unknown as boolean)).toThrow(TypeError);
  });

  test('zeroGrad sets grads to null (PyTorch 2 default) or zeros', () => {
    const m = new FieldNet();
    m.forward(tn.rand(4, 2)).sum().backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad(false);
    expect(m.parameters().every((p) => p.grad !== null && Array.from(p.grad.dataSync()).every((v) => v === 0))).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  test("to('cpu') returns the module and keeps the Parameter objects", () => {
    const m = new FieldNet().to('cpu');
    const before = m.parameters();
    expect(m.to('cpu')).toBe(m);
    expect(m.cpu()).toBe(m);
    m.parameters().forEach((p, i) => expect(p).toBe(before[i]));
    expect(() => m.to('tpu' as tn.Device)).toThrow(RangeError);
  });

  test('requiresGrad_ freezes and unfreezes every parameter', () => {
    const m = new FieldNet().requiresGrad_(false);
    expect(m.parameters().some((p) => p.requiresGrad)).toBe(false);
    m.requiresGrad_();
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
  });

  test('forward hooks see module, inputs and output; remove() unregisters', () => {
    const fc = new nn.Linear(2, 3);
    const seen: number[][] = [];
    const h = fc.registerForwardHook((_m, _inputs, out) => void seen.push((out as tn.Tensor).shape.slice()));
    fc.call(tn.rand(4, 2));
    h.remove();
    fc.forward(tn.rand(1, 2));
    expect(seen).toEqual([[4, 3]]);
  });

  test('call() and forward() are the same computation; the base forward is abstract', () => {
    const fc = new nn.Linear(2, 3);
    const x = tn.rand(2, 2);
    expect(Array.from(fc.call(x).dataSync())).toEqual(Array.from(fc.forward(x).dataSync()));
    expect(() => new nn.Module().forward()).toThrow('Module [Module] is missing the required "forward" function');
  });

  test('a forward assigned as an arrow-function field is used (and labelled)', () => {
    class Arrow extends nn.Module {
      fc = new nn.Linear(2, 2);
      forward = (x: tn.Tensor): tn.Tensor => this.fc.forward(x).mul(2);
    }
    const a = new Arrow();
    expect(a.forward(tn.ones(1, 2)).shape).toEqual([1, 2]);
    expect(() => a.forward(tn.ones(1, 3))).toThrow('Linear (fc): mat1 and mat2 shapes cannot be multiplied (1x3 and 2x2)');
  });
});

describe('printing', () => {
  test('Parameter prints with the PyTorch header and requires_grad=True', () => {
    const p = new nn.Parameter(tn.tensor([1.5, -2], { dtype: 'float32' }));
    expect(String(p)).toBe('Parameter containing:\ntensor([ 1.5000, -2.0000], requires_grad=True)');
    expect(inspect(p)).toBe(String(p));
    expect(String(new nn.Parameter(tn.tensor([1, 2], { dtype: 'float32' }), false))).toBe('Parameter containing:\ntensor([1., 2.])');
  });

  test('nested modules indent by two per level; one extra line goes inline', () => {
    class Inner extends nn.Module {
      head = new nn.Sequential(new nn.Linear(2, 2, { bias: false }), new nn.ReLU({ inplace: true }));
    }
    class Outer extends nn.Module {
      inner = new Inner();
      soft = new nn.Softmax(1);
      drop = new nn.Dropout(0.2);
      flat = new nn.Flatten();
      ls = new nn.LogSoftmax(-1);
      id = new nn.Identity();
    }
    expect(String(new Outer())).toBe(
      'Outer(\n' +
        '  (inner): Inner(\n' +
        '    (head): Sequential(\n' +
        '      (0): Linear(in_features=2, out_features=2, bias=False)\n' +
        '      (1): ReLU(inplace=True)\n' +
        '    )\n' +
        '  )\n' +
        '  (soft): Softmax(dim=1)\n' +
        '  (drop): Dropout(p=0.2, inplace=False)\n' +
        '  (flat): Flatten(start_dim=1, end_dim=-1)\n' +
        '  (ls): LogSoftmax(dim=-1)\n' +
        '  (id): Identity()\n' +
        ')',
    );
    expect(inspect(new Outer())).toBe(String(new Outer()));
  });

  test('extraRepr lines come before children; several lines are not inlined', () => {
    class Custom extends nn.Module {
      fc = new nn.Linear(1, 1);
      extraRepr(): string {
        return 'alpha=1';
      }
    }
    expect(String(new Custom())).toBe('Custom(\n  alpha=1\n  (fc): Linear(in_features=1, out_features=1, bias=True)\n)');
    class Two extends nn.Module {
      extraRepr(): string {
        return 'a=1\nb=2';
      }
    }
    expect(String(new Two())).toBe('Two(\n  a=1\n  b=2\n)');
  });

  test('ModuleList compresses runs of identical children like recent PyTorch', () => {
    const l = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.ReLU()]);
    expect(String(l)).toBe('ModuleList(\n  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n  (3): ReLU()\n)');
    expect(String(new nn.ModuleList())).toBe('ModuleList()');
  });

  test('formatSize reads like torch.Size', () => {
    expect(nn.formatSize([5, 4])).toBe('torch.Size([5, 4])');
    expect(nn.formatSize([])).toBe('torch.Size([])');
  });
});

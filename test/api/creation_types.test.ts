/**
 * The factories' TypeScript signatures: zeros/ones/rand/randn take sizes as PyTorch does
 * (`(2, 3)`, `([2, 3], opts)`, `(2, 3, opts)`), and anything else is a compile error. The
 * `@ts-expect-error` lines are checked by `tsc --noEmit` (npm test's first step): if a bad call
 * ever type-checks again, the unused directive fails the build. At run time they throw.
 */
import * as tn from '../../lib/index';

describe('factory signatures', () => {
  test('the accepted forms give the same shapes', () => {
    const shape: readonly number[] = [2, 3];
    const sizes: number[] = [2, 3];
    for (const f of [tn.zeros, tn.ones, tn.rand, tn.randn]) {
      expect(f(2, 3).shape).toEqual([2, 3]);
      expect(f([2, 3]).shape).toEqual([2, 3]);
      expect(f(shape).shape).toEqual([2, 3]);
      expect(f(...sizes).shape).toEqual([2, 3]);
      expect(f(shape, { device: 'cpu' }).shape).toEqual([2, 3]);
      expect(f(2, 3, { requiresGrad: true }).requiresGrad).toBe(true);
    }
    expect(tn.rand([2], { generator: new tn.Generator(0) }).shape).toEqual([2]);
    expect(tn.randn(2, { generator: new tn.Generator(0) }).shape).toEqual([2]);
  });

  test('wrong argument types are compile errors (and TypeErrors at run time)', () => {
    // @ts-expect-error a string is not a size
    expect(() => tn.zeros('oops')).toThrow(TypeError);
    // @ts-expect-error a string is not a size
    expect(() => tn.ones(2, 'x')).toThrow(TypeError);
    // @ts-expect-error options go last
    expect(() => tn.rand({ requiresGrad: true }, 2)).toThrow(TypeError);
    // @ts-expect-error an unknown option key
    expect(() => tn.randn(2, { requires_grad: true })).toThrow("randn: unknown option 'requires_grad'; did you mean 'requiresGrad'?");
    // @ts-expect-error zeros takes no generator
    expect(() => tn.zeros([2], { generator: new tn.Generator(0) })).toThrow(TypeError);
  });
});

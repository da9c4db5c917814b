import { firstDifference, valueAt } from './state.diff';

describe('firstDifference', () => {
  it('is null for JSON-equal values whatever the key order, undefined as missing', () => {
    expect(
      firstDifference({ a: 1, b: { c: [1, { d: null }] } }, { b: { c: [1, { d: null }] }, a: 1 }),
    ).toBeNull();
    expect(firstDifference({ a: 1, u: undefined }, { a: 1 })).toBeNull();
    expect(firstDifference({ a: 1 }, { a: 1, u: undefined })).toBeNull();
  });

  it.each([
    [{ a: 1 }, { a: 2 }, 'a'],
    [{ a: { b: [1, 2] } }, { a: { b: [1, 3] } }, 'a.b[1]'],
    [{ a: { b: [1, 2] } }, { a: { b: [1] } }, 'a.b.length'],
    [{ a: 1 }, { a: 1, extra: false }, 'extra'],
    [{ a: 1, gone: 'x' }, { a: 1 }, 'gone'],
    [{ a: [{ k: 'v' }] }, { a: [{ k: 'w' }] }, 'a[0].k'],
    [{ a: {} }, { a: [] }, 'a'],
    [1, 2, '(root)'],
  ])('finds %j vs %j at %s', (a, b, path) => {
    expect(firstDifference(a, b)).toBe(path);
  });

  it('reads the value at a path', () => {
    const v = { context: { items: { eia: { stops: [{ to: null }, { to: 'x' }] } } } };
    expect(valueAt(v, 'context.items.eia.stops[1].to')).toBe('x');
    expect(valueAt(v, 'context.items.eia.stops.length')).toBe(2);
    expect(valueAt(v, 'nope.deeper')).toBeUndefined();
  });
});

import { sameJson } from '@qianqi/workflows';

/**
 * Where two JSON values first differ, as a path (`context.items.eia.status`), or null when they
 * are equal as JSON (key order ignored, an undefined property the same as a missing one). The
 * common case, equal, is walked without building a single path string.
 */
export function firstDifference(a: unknown, b: unknown): string | null {
  return sameJson(a, b) ? null : pathOfDifference(a, b, '');
}

function pathOfDifference(a: unknown, b: unknown, path: string): string {
  const at = (key: string | number) =>
    typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null ||
    Array.isArray(a) !== Array.isArray(b)
  ) {
    return path || '(root)';
  }
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return `${path}.length`;
    const i = a.findIndex((v, k) => !sameJson(v, other[k]));
    return pathOfDifference(a[i], other[i], at(i));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const key of Object.keys(x)) {
    if (!sameJson(x[key], y[key]))
      return x[key] === undefined || y[key] === undefined
        ? at(key)
        : pathOfDifference(x[key], y[key], at(key));
  }
  const extra = Object.keys(y).find((key) => y[key] !== undefined && x[key] === undefined);
  return extra !== undefined ? at(extra) : path || '(root)';
}

/** The value at a path `firstDifference` returned, for a readable detail. */
export function valueAt(root: unknown, path: string): unknown {
  if (path === '(root)') return root;
  let v: unknown = root;
  for (const part of path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '')) {
    if (part === 'length' && Array.isArray(v)) return v.length;
    v = v === null || typeof v !== 'object' ? undefined : (v as Record<string, unknown>)[part];
  }
  return v;
}

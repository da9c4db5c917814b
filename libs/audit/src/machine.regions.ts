import type { AnyStateMachine } from 'xstate';

/**
 * Which regions of a parallel machine one transition can read or move, found by walking the
 * machine once. An event of type T is handled by the regions with a transition for T; after it,
 * eventless (`always`) transitions run in the regions standing in a state that has them; guards
 * read other regions only through `stateIn`. A region outside all of these neither moves nor is
 * read, so the transition is the same whatever state it is in.
 *
 * Only for machines this can be proved of: a parallel root whose regions hold atomic states, every
 * transition targets its own region, no wildcard events, `stateIn` by `#machine.region.state`.
 * Null for anything else (the table then keys on the whole state value).
 */
export interface RegionMap {
  regions: readonly string[];
  /** The regions a transition for `type` may read or move, when `value` is the state before it. */
  relevant(type: string, value: Record<string, string>): string[];
}

interface NodeLike {
  key: string;
  type: string;
  path: string[];
  states: Record<string, NodeLike>;
  transitions: Map<string, TransitionLike[]>;
  always?: TransitionLike[];
}
interface TransitionLike {
  guard?: unknown;
  target?: NodeLike[];
}

export function regionMap(machine: AnyStateMachine): RegionMap | null {
  const root = machine.root as unknown as NodeLike & { id: string };
  if (root.type !== 'parallel' || root.transitions.size || root.always?.length) return null;
  const regions = Object.keys(root.states);
  const handlers = new Map<string, Set<string>>();
  /** Regions a region's eventless guards read, and the states of it that have eventless transitions. */
  const eventlessReads = new Map<string, Set<string>>();
  const eventlessStates = new Set<string>();
  const prefix = `#${root.id}.`;

  const reads = (guard: unknown, into: Set<string>): boolean => {
    if (guard === undefined || typeof guard === 'string') return true;
    if (typeof guard === 'object' && guard !== null && 'type' in guard) return true;
    const g = guard as { check?: unknown; stateValue?: unknown; guards?: unknown[] };
    if (typeof guard !== 'function' || !g.check) return false;
    if (g.stateValue !== undefined) {
      if (typeof g.stateValue !== 'string' || !g.stateValue.startsWith(prefix)) return false;
      const region = g.stateValue.slice(prefix.length).split('.')[0];
      if (!regions.includes(region)) return false;
      into.add(region);
      return true;
    }
    return Array.isArray(g.guards) && g.guards.every((x) => reads(x, into));
  };
  const local = (t: TransitionLike, region: string) => (t.target ?? []).every((n) => n.path[0] === region);

  for (const region of regions) {
    const node = root.states[region];
    const children = Object.values(node.states);
    if (node.type !== 'compound' || node.always?.length) return null;
    if (!children.every((c) => (c.type === 'atomic' || c.type === 'final') && !Object.keys(c.states).length))
      return null;
    const regionReads = new Set<string>([region]);
    for (const n of [node, ...children]) {
      for (const [type, list] of n.transitions) {
        if (type.includes('*')) return null;
        const set = handlers.get(type) ?? new Set<string>();
        set.add(region);
        for (const t of list) if (!local(t, region) || !reads(t.guard, set)) return null;
        handlers.set(type, set);
      }
      if (n !== node && n.always?.length) {
        eventlessStates.add(`${region}\u0000${n.key}`);
        for (const t of n.always) if (!local(t, region) || !reads(t.guard, regionReads)) return null;
      }
    }
    eventlessReads.set(region, regionReads);
  }

  const byType = new Map<string, string[]>();
  return {
    regions,
    relevant(type, value) {
      let handling = byType.get(type);
      if (!handling) {
        const set = new Set<string>();
        for (const r of handlers.get(type) ?? []) {
          set.add(r);
          for (const x of eventlessReads.get(r)!) set.add(x);
        }
        handling = [...set];
        byType.set(type, handling);
      }
      const out = new Set(handling);
      for (const r of regions) {
        if (eventlessStates.has(`${r}\u0000${value[r]}`)) for (const x of eventlessReads.get(r)!) out.add(x);
      }
      return [...out].sort();
    },
  };
}

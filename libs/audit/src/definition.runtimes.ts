import { BUILT_IN_DEFINITIONS, DefinitionRegistry, pinnedDefinition } from '@qianqi/workflows';
import type { DefinitionLookup, DefinitionRuntime } from './stream.verification';
import { TransitionTable } from './transition.table';

export interface PinnedDefinition {
  ref: string;
  hash: string;
  content: unknown;
}

/**
 * The definition versions a verification replays with. A version pinned in the database is
 * replayed from the content pinned there, once that content hashes to the pinned hash (the code's
 * copy is reused when it is the same content); a version the database does not know comes from
 * the code. One transition table per version, shared by every stream on it.
 */
export class DefinitionRuntimes {
  private readonly runtimes = new Map<string, DefinitionRuntime | null>();
  private readonly pinned: Map<string, PinnedDefinition>;

  constructor(
    private readonly registry: DefinitionRegistry,
    pinned: PinnedDefinition[] = [],
  ) {
    this.pinned = new Map(pinned.map((p) => [p.ref, p]));
  }

  /** The shipped catalogues, with the versions pinned in the database (a script's or a test's runtimes). */
  static builtIn(pinned: PinnedDefinition[] = []): DefinitionRuntimes {
    return new DefinitionRuntimes(new DefinitionRegistry(BUILT_IN_DEFINITIONS), pinned);
  }

  readonly lookup: DefinitionLookup = (ref) => {
    if (!this.runtimes.has(ref)) this.runtimes.set(ref, this.build(ref));
    return this.runtimes.get(ref) ?? undefined;
  };

  tables() {
    return [...this.runtimes.values()].filter((r): r is DefinitionRuntime => r !== null).map((r) => r.table);
  }

  private build(ref: string): DefinitionRuntime | null {
    const pin = this.pinned.get(ref);
    const code = this.registry.get(ref);
    if (pin) {
      if (code && code.hash === pin.hash) return runtime(ref, code.logic);
      const stored = pinnedDefinition(ref, pin);
      return stored ? runtime(ref, stored.logic) : null;
    }
    return code ? runtime(ref, code.logic) : null;
  }
}

function runtime(ref: string, logic: DefinitionRuntime['logic']): DefinitionRuntime {
  return { ref, logic, table: new TransitionTable(logic) };
}

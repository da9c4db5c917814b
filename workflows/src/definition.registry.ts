import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { DEFAULT_CATALOGUE } from './catalogues/default.catalogue';
import { INDUSTRIAL_PARK_CATALOGUE } from './catalogues/industrial-park.catalogue';
import { definitionRef, type ProcedureDefinition } from './definition.types';
import { assertValidDefinition, DefinitionError } from './definition.validation';
import { ProcedureLogic } from './procedure.logic';

export function contentHash(def: ProcedureDefinition): string {
  return createHash('sha256')
    .update(canonicalize(def) as string)
    .digest('hex');
}

export interface RegisteredDefinition {
  ref: string;
  hash: string;
  definition: ProcedureDefinition;
  logic: ProcedureLogic;
}

/**
 * Every definition version the system can run or replay. Validates each on registration, so a
 * broken catalogue stops the boot with the problem named.
 */
export class DefinitionRegistry {
  private readonly byRef = new Map<string, RegisteredDefinition>();

  constructor(definitions: ProcedureDefinition[]) {
    for (const def of definitions) {
      assertValidDefinition(def);
      const ref = definitionRef(def);
      if (this.byRef.has(ref)) throw new DefinitionError(ref, ['the same id@version is defined twice']);
      this.byRef.set(ref, { ref, hash: contentHash(def), definition: def, logic: new ProcedureLogic(def) });
    }
  }

  get(ref: string): RegisteredDefinition | undefined {
    return this.byRef.get(ref);
  }

  /** `id@version`, or `id` alone for its latest version. */
  resolve(refOrId: string): RegisteredDefinition | undefined {
    if (refOrId.includes('@')) return this.get(refOrId);
    return this.latest().find((d) => d.definition.id === refOrId);
  }

  all(): RegisteredDefinition[] {
    return [...this.byRef.values()];
  }

  /** The newest version of each definition id: what new procedures start on. */
  latest(): RegisteredDefinition[] {
    const newest = new Map<string, RegisteredDefinition>();
    for (const d of this.byRef.values()) {
      const seen = newest.get(d.definition.id);
      if (!seen || seen.definition.version < d.definition.version) newest.set(d.definition.id, d);
    }
    return [...newest.values()];
  }
}

/**
 * Version `ref` as pinned in the database (its content and the hash it was first published with),
 * for a version the code no longer ships: null when that content does not hash to the pinned hash,
 * is another version, or does not pass today's validation (so it cannot be run or replayed).
 */
export function pinnedDefinition(
  ref: string,
  pin: { hash: string; content: unknown },
): RegisteredDefinition | null {
  try {
    const content = pin.content as ProcedureDefinition;
    if (contentHash(content) !== pin.hash) return null;
    const [stored] = new DefinitionRegistry([content]).all();
    return stored.ref === ref ? stored : null;
  } catch {
    return null;
  }
}

export const BUILT_IN_DEFINITIONS: ProcedureDefinition[] = [DEFAULT_CATALOGUE, INDUSTRIAL_PARK_CATALOGUE];
export const DEFAULT_DEFINITION_ID = DEFAULT_CATALOGUE.id;

import { APPROVAL_MODES, DEPARTMENTS, ProcedureDefinition, STAGES, TASK_FORCES } from './definition.types';

export class DefinitionError extends Error {
  constructor(
    readonly definition: string,
    readonly problems: string[],
  ) {
    super(`procedure definition ${definition} is broken: ${problems.join('; ')}`);
    this.name = 'DefinitionError';
  }
}

const KEY = /^[a-z][a-z0-9_]*$/;

function checkLimit(where: string, limit: unknown, problems: string[]): void {
  const l = limit as { n?: unknown; unit?: unknown } | undefined;
  if (!l || !Number.isInteger(l.n) || (l.n as number) < 1 || (l.unit !== 'WD' && l.unit !== 'ND')) {
    problems.push(`${where} must be { n: positive integer, unit: 'WD' | 'ND' }`);
  }
}

/** Every problem of a definition, so one boot names them all. */
export function definitionProblems(def: ProcedureDefinition): string[] {
  const problems: string[] = [];
  if (!def.id || !/^[a-z][a-z0-9-]*$/.test(def.id)) problems.push(`id "${def.id}" must be kebab-case`);
  if (!Number.isInteger(def.version) || def.version < 1) problems.push(`version must be a positive integer`);
  if (!def.name) problems.push('name is required');
  if (!Array.isArray(def.items) || def.items.length === 0) return [...problems, 'items must not be empty'];

  const keys = new Set<string>();
  for (const item of def.items) {
    const at = `item "${item.key}"`;
    if (!KEY.test(item.key ?? '')) problems.push(`${at}: key must be snake_case`);
    if (keys.has(item.key)) problems.push(`${at}: duplicate key`);
    keys.add(item.key);
    if (!item.name) problems.push(`${at}: name is required`);
    if (!(item.department in DEPARTMENTS)) problems.push(`${at}: unknown department "${item.department}"`);
    if (!(item.taskForce in TASK_FORCES)) problems.push(`${at}: unknown task force "${item.taskForce}"`);
    if (!(String(item.stage) in STAGES)) problems.push(`${at}: unknown stage ${item.stage}`);
    checkLimit(`${at}: limits.statutory`, item.limits?.statutory, problems);
    checkLimit(`${at}: limits.committed`, item.limits?.committed, problems);
    // A department commits to be faster than the law, never slower (in one unit they compare).
    const { statutory, committed } = item.limits ?? {};
    if (statutory && committed && statutory.unit === committed.unit && committed.n > statutory.n) {
      problems.push(
        `${at}: limits.committed (${committed.n} ${committed.unit}) is longer than limits.statutory (${statutory.n} ${statutory.unit})`,
      );
    }
    for (const mode of item.approvalModes ?? []) {
      if (!APPROVAL_MODES.includes(mode)) problems.push(`${at}: unknown approval mode "${mode}"`);
    }
    const materialKeys = new Set<string>();
    if (!item.materials?.length) problems.push(`${at}: needs at least one material`);
    for (const m of item.materials ?? []) {
      if (!KEY.test(m.key ?? '')) problems.push(`${at}: material key "${m.key}" must be snake_case`);
      if (materialKeys.has(m.key)) problems.push(`${at}: duplicate material "${m.key}"`);
      materialKeys.add(m.key);
      if (!m.name) problems.push(`${at}: material "${m.key}" needs a name`);
    }
    if (
      item.commitmentDays !== undefined &&
      (!Number.isInteger(item.commitmentDays) || item.commitmentDays < 1)
    ) {
      problems.push(`${at}: commitmentDays must be a positive integer`);
    }
    if (item.breachPolicy && !['withhold', 'provisional', 'revoke'].includes(item.breachPolicy)) {
      problems.push(`${at}: unknown breach policy "${item.breachPolicy}"`);
    }
  }

  const byKey = new Map(def.items.map((i) => [i.key, i]));
  for (const item of def.items) {
    for (const p of item.prerequisites ?? []) {
      if (!byKey.has(p.item)) problems.push(`item "${item.key}": unknown prerequisite "${p.item}"`);
      if (p.item === item.key) problems.push(`item "${item.key}": cannot be its own prerequisite`);
    }
  }
  const cycle = findCycle(def);
  if (cycle) problems.push(`prerequisite cycle ${cycle.join(' → ')}`);
  return problems;
}

function findCycle(def: ProcedureDefinition): string[] | null {
  const edges = new Map(def.items.map((i) => [i.key, (i.prerequisites ?? []).map((p) => p.item)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (key: string): string[] | null => {
    if (state.get(key) === 'done' || !edges.has(key)) return null;
    if (state.get(key) === 'visiting') return [...path.slice(path.indexOf(key)), key];
    state.set(key, 'visiting');
    path.push(key);
    for (const next of edges.get(key) ?? []) {
      if (next === key) continue;
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(key, 'done');
    return null;
  };
  for (const key of edges.keys()) {
    const found = visit(key);
    if (found) return found;
  }
  return null;
}

export function assertValidDefinition(def: ProcedureDefinition): void {
  const problems = definitionProblems(def);
  if (problems.length) throw new DefinitionError(`${def.id}@${def.version}`, problems);
}

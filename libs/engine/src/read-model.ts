import type { ItemView, ProcedureView } from '@qianqi/domain';
import type { ItemRow } from '@qianqi/persistence';
import { isOutstanding, type Light, type ProcedureDefinition } from '@qianqi/workflows';

const SEVERITY: Light[] = ['green', 'blue', 'yellow', 'red'];

export function worstLight(lights: Light[]): Light {
  return lights.reduce<Light>(
    (worst, l) => (SEVERITY.indexOf(l) > SEVERITY.indexOf(worst) ? l : worst),
    'green',
  );
}

/** The item read-model rows of a view, for the tables that queries and timers filter on. */
export function itemRows(def: ProcedureDefinition, view: ProcedureView): ItemRow[] {
  return view.items.map((i) => itemRow(def, i));
}

/** One item's read-model row. */
export function itemRow(def: ProcedureDefinition, i: ItemView): ItemRow {
  return {
    item_key: i.key,
    department: i.department,
    task_force: def.items.find((d) => d.key === i.key)!.taskForce,
    stage: i.stage,
    status: i.status,
    light: i.light,
    statutory_breach: i.statutoryBreach,
    accepted_at: i.acceptedAt,
    committed_due_at: i.committedDueAt,
    statutory_due_at: i.statutoryDueAt,
    provisional: i.provisional,
    open_commitments: i.commitments.filter(isOutstanding).length,
  };
}

/**
 * Two flat records of primitives, field by field: what comparing their JSON says for rows built
 * by the same function, without serialising both sides of every row on every command.
 */
export function sameFields<T extends object>(a: T | undefined, b: T): boolean {
  if (!a) return false;
  const keys = Object.keys(b) as (keyof T)[];
  if (Object.keys(a).length !== keys.length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

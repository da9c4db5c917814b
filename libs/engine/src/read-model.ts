import type { ProcedureView } from '@qianqi/domain';
import type { ItemRow } from '@qianqi/persistence';
import type { Light, ProcedureDefinition } from '@qianqi/workflows';

const SEVERITY: Light[] = ['green', 'blue', 'yellow', 'red'];

export function worstLight(lights: Light[]): Light {
  return lights.reduce<Light>((worst, l) => (SEVERITY.indexOf(l) > SEVERITY.indexOf(worst) ? l : worst), 'green');
}

/** The item read-model rows of a view, for the tables that queries and timers filter on. */
export function itemRows(def: ProcedureDefinition, view: ProcedureView): ItemRow[] {
  const byKey = new Map(def.items.map((i) => [i.key, i]));
  return view.items.map((i) => ({
    item_key: i.key,
    department: i.department,
    task_force: byKey.get(i.key)!.taskForce,
    stage: i.stage,
    status: i.status,
    light: i.light,
    statutory_breach: i.statutoryBreach,
    accepted_at: i.acceptedAt,
    committed_due_at: i.committedDueAt,
    statutory_due_at: i.statutoryDueAt,
    provisional: i.provisional,
    open_commitments: i.commitments.filter((c) => c.status !== 'fulfilled').length,
  }));
}

/** Only the rows that differ, so a command rewrites the items it touched. */
export function changedRows(before: ItemRow[], after: ItemRow[]): ItemRow[] {
  const old = new Map(before.map((r) => [r.item_key, JSON.stringify(r)]));
  return after.filter((r) => old.get(r.item_key) !== JSON.stringify(r));
}

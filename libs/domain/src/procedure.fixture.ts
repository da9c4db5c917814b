/**
 * Test support for the domain specs: procedures built step by step through the pure machine,
 * each step at its own instant. The 容缺 helpers accept on Mon 2026-03-02 with commitments due at
 * the end of Mon 3/9 (5 WD); AFTER_DUE is the morning after. Not exported from the library's index.
 */
import {
  ProcedureLogic,
  toMachineEvent,
  type ApprovalMode,
  type ItemEventType,
  type PersistedProcedure,
  type ProcedureDefinition,
} from '@qianqi/workflows';
import { endOf, sh } from './deadline.fixture';

export type Step = [item: string, type: ItemEventType, payload: Record<string, unknown>, at: string];

/** Applies each step; a step the machine refuses fails the test right there. */
export function run(
  logic: ProcedureLogic,
  steps: Step[],
  mode: ApprovalMode = 'verification',
): PersistedProcedure {
  let state = logic.start({ procedureId: 'proc-1', projectId: 'proj-1', approvalMode: mode });
  for (const [item, type, payload, at] of steps) {
    const r = logic.apply(state, toMachineEvent(item, type, payload as never, at));
    if (!r.changed) throw new Error(`${item}.${type} refused in ${logic.status(state, item)} at ${at}`);
    state = r.state;
  }
  return state;
}

export const COMMITMENT_DUE = endOf('2026-03-09');
export const AFTER_DUE = sh('2026-03-10 09:00');

/** Submitted with only the essential materials, accepted with tolerance on Mon 3/2. */
export function toleranceAccepted(def: ProcedureDefinition, item: string): Step[] {
  const essential = def.items
    .find((i) => i.key === item)!
    .materials.filter((m) => !m.tolerable)
    .map((m) => m.key);
  return [
    [item, 'SUBMIT', { materials: essential }, sh('2026-03-02 09:00')],
    [
      item,
      'ACCEPT_WITH_TOLERANCE',
      { dueInWorkingDays: 5, commitmentDueAt: COMMITMENT_DUE },
      sh('2026-03-02 10:00'),
    ],
  ];
}

/** Submitted complete, accepted and approved on Mon 3/2. */
export function approved(def: ProcedureDefinition, item: string, at = sh('2026-03-02 12:00')): Step[] {
  const all = def.items.find((i) => i.key === item)!.materials.map((m) => m.key);
  return [
    [item, 'SUBMIT', { materials: all }, sh('2026-03-02 09:00')],
    [item, 'ACCEPT', {}, sh('2026-03-02 10:00')],
    [item, 'APPROVE', { documentNo: `文号-${item}` }, at],
  ];
}

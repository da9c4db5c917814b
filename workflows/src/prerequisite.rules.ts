import {
  DEFAULT_BREACH_POLICY,
  type ApprovalMode,
  type ItemDefinition,
  type PrerequisiteDefinition,
} from './definition.types';
import type { Commitment, ItemContext, ItemStatus } from './procedure.context';

/**
 * The rules that decide whether an item's prerequisites are met, as plain functions over data.
 * The machine builder compiles them into guards (`stateIn` on the prerequisite's region plus
 * named guards on its context); `ProcedureLogic.unmetPrerequisites` applies them to a persisted
 * state to name, in a refusal, what an item is waiting for. Both read these functions, so the two
 * cannot drift apart.
 */

/** A commitment still owed: neither supplied nor voided with its application. */
export function isOutstanding(c: Commitment): boolean {
  return c.status === 'open' || c.status === 'breached';
}

/** `withhold`: a broken commitment not yet made good withholds the item's certificate. */
export function certificateWithheld(item: ItemDefinition, ctx: ItemContext): boolean {
  return (
    (item.breachPolicy ?? DEFAULT_BREACH_POLICY) === 'withhold' &&
    ctx.commitments.some((c) => c.status === 'breached')
  );
}

/** The edge does not apply to a project of this approval mode. */
export function edgeSkipped(edge: PrerequisiteDefinition, mode: ApprovalMode): boolean {
  return !!edge.approvalModes && !edge.approvalModes.includes(mode);
}

/** Statuses of a prerequisite that meet any edge. */
export const DONE_STATUSES: readonly ItemStatus[] = ['approved', 'waived', 'not_applicable'];

/**
 * Whether one edge is met: its prerequisite approved, waived or not needed by the project; or —
 * 容缺后置, where the edge allows it — provisionally approved with its certificate not withheld.
 */
export function edgeMet(
  edge: PrerequisiteDefinition,
  mode: ApprovalMode,
  prerequisite: { definition: ItemDefinition; status: ItemStatus; ctx: ItemContext },
): boolean {
  if (edgeSkipped(edge, mode) || DONE_STATUSES.includes(prerequisite.status)) return true;
  return (
    !!edge.allowProvisional &&
    prerequisite.status === 'provisionally_approved' &&
    !certificateWithheld(prerequisite.definition, prerequisite.ctx)
  );
}

/**
 * Only a 容缺后置 edge can stop being met once it was (approved, waived and not_applicable are
 * final): an item with one can lose its prerequisites when that commitment is broken.
 */
export function canLosePrerequisites(item: ItemDefinition): boolean {
  return item.prerequisites.some((e) => e.allowProvisional);
}

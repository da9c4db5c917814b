import type { ApprovalMode } from './definition.types';

export const ITEM_STATUSES = [
  'locked',
  'ready',
  'submitted',
  'correcting',
  'in_review',
  'paused',
  'approved',
  'provisionally_approved',
  'denied',
  'withdrawn',
  'waived',
] as const;
/** `not_applicable` is internal: an item the project's approval mode does not need. */
export type ItemStatus = (typeof ITEM_STATUSES)[number] | 'not_applicable';

export const SPECIAL_PROCEDURE_KINDS = [
  'expert_review',
  'hearing',
  'public_notice',
  'site_inspection',
  'bidding',
] as const;
export type SpecialProcedureKind = (typeof SPECIAL_PROCEDURE_KINDS)[number];
export const WAIVER_BASES = ['regional_assessment', 'notice_commitment'] as const;
export type WaiverBasis = (typeof WAIVER_BASES)[number];

export type Light = 'green' | 'blue' | 'yellow' | 'red';

export interface Commitment {
  material: string;
  openedAt: string;
  dueAt: string | null;
  dueInWorkingDays: number;
  /** `cancelled`: its application was denied or withdrawn, so it can be neither supplied nor broken. */
  status: 'open' | 'fulfilled' | 'breached' | 'cancelled';
  fulfilledAt: string | null;
  breachedAt: string | null;
  /** Set only on cancellation (absent from commitments recorded before the status existed). */
  cancelledAt?: string;
}

export interface ClockStop {
  kind: 'correction' | SpecialProcedureKind;
  reason: string;
  from: string;
  to: string | null;
}

export interface ItemContext {
  attempt: number;
  materials: string[];
  submittedAt: string | null;
  acceptedAt: string | null;
  decidedAt: string | null;
  documentNo: string | null;
  commitments: Commitment[];
  stops: ClockStop[];
  correction: { reason: string; missing: string[] } | null;
  /** Reason of the last refusal, denial, withdrawal or revocation. */
  reason: string | null;
  waiver: { basis: WaiverBasis; reason: string } | null;
  light: Light;
  /** Past the committed limit (an OVERDUE ticket opens when this turns true). */
  overdue: boolean;
  statutoryBreach: boolean;
}

export interface ProcedureContext {
  procedureId: string;
  projectId: string;
  definition: string;
  approvalMode: ApprovalMode;
  items: Record<string, ItemContext>;
}

export interface ProcedureInput {
  procedureId: string;
  projectId: string;
  approvalMode: ApprovalMode;
}

export function emptyItemContext(): ItemContext {
  return {
    attempt: 0,
    materials: [],
    submittedAt: null,
    acceptedAt: null,
    decidedAt: null,
    documentNo: null,
    commitments: [],
    stops: [],
    correction: null,
    reason: null,
    waiver: null,
    light: 'green',
    overdue: false,
    statutoryBreach: false,
  };
}

/**
 * A fresh copy of an item's context, member by member, for an assign to change. (Every item
 * context then has the one shape of this literal and of `emptyItemContext`'s: a spread's copy
 * takes the shape its source had, and the many shapes items came to have made each copy, and
 * each read of an item's member, go through V8's slow paths.) The return type names every member,
 * so a member added to `ItemContext` and not here does not compile.
 */
export function copyItemContext(i: ItemContext): ItemContext {
  return {
    attempt: i.attempt,
    materials: i.materials,
    submittedAt: i.submittedAt,
    acceptedAt: i.acceptedAt,
    decidedAt: i.decidedAt,
    documentNo: i.documentNo,
    commitments: i.commitments,
    stops: i.stops,
    correction: i.correction,
    reason: i.reason,
    waiver: i.waiver,
    light: i.light,
    overdue: i.overdue,
    statutoryBreach: i.statutoryBreach,
  };
}

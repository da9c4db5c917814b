import type { Light, SpecialProcedureKind, WaiverBasis } from './procedure.context';

/**
 * What the machine receives. Every event names its item and carries the moment it happened
 * (`at`, ISO 8601 UTC): the machine never reads a clock.
 */
export const COMMAND_TYPES = [
  'SUBMIT',
  'ACCEPT',
  'ACCEPT_WITH_TOLERANCE',
  'RETURN_FOR_CORRECTION',
  'RESUBMIT',
  'REFUSE',
  'START_SPECIAL_PROCEDURE',
  'END_SPECIAL_PROCEDURE',
  'APPROVE',
  'DENY',
  'SUPPLY_MATERIALS',
  'WITHDRAW',
  'WAIVE',
] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

/** Events the system itself sends (deadline handlers), never an HTTP command. */
export const SYSTEM_EVENT_TYPES = ['SET_LIGHT', 'BREACH_COMMITMENTS'] as const;
export type SystemEventType = (typeof SYSTEM_EVENT_TYPES)[number];

export interface CommandPayloads {
  SUBMIT: { materials: string[] };
  ACCEPT: Record<string, never>;
  ACCEPT_WITH_TOLERANCE: { dueInWorkingDays: number; commitmentDueAt: string | null };
  RETURN_FOR_CORRECTION: { reason: string; missing: string[] };
  RESUBMIT: { materials: string[] };
  REFUSE: { reason: string };
  START_SPECIAL_PROCEDURE: { kind: SpecialProcedureKind; reason: string };
  END_SPECIAL_PROCEDURE: Record<string, never>;
  APPROVE: { documentNo: string };
  DENY: { reason: string };
  SUPPLY_MATERIALS: { materials: string[] };
  WITHDRAW: { reason: string };
  WAIVE: { basis: WaiverBasis; reason: string };
  SET_LIGHT: { light: Light; overdue: boolean; statutoryBreach: boolean };
  BREACH_COMMITMENTS: { materials: string[] };
}

export type ItemEventType = CommandType | SystemEventType;

/** The machine event: `<itemKey>.<TYPE>` so each region only listens to its own item. */
export type ProcedureEvent = {
  type: string;
  at: string;
} & Partial<Record<string, unknown>>;

export function machineEventType(itemKey: string, type: ItemEventType): string {
  return `${itemKey}.${type}`;
}

export function toMachineEvent<T extends ItemEventType>(
  itemKey: string,
  type: T,
  payload: CommandPayloads[T],
  at: string,
): ProcedureEvent {
  return { ...(payload as object), type: machineEventType(itemKey, type), at };
}

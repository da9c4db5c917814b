import { ProcedureLogic, type ApprovalMode, type PersistedProcedure } from '@qianqi/workflows';
import { commandOfEvent, PROJECT_REGISTERED, type RecordedEvent } from './procedure-event';

export interface ReplayResult {
  state: PersistedProcedure;
  version: number;
  eventsApplied: number;
  /** Events the machine refused: a replay of an unaltered stream has none. */
  rejected: number[];
}

export type ReplayEvent = Pick<RecordedEvent, 'version' | 'type' | 'data' | 'metadata'>;

/** The initial state a ProjectRegistered event starts. */
export function startState(logic: ProcedureLogic, first: ReplayEvent): PersistedProcedure {
  const d = first.data as { projectId: string; procedureId: string; approvalMode: ApprovalMode };
  return logic.start({ procedureId: d.procedureId, projectId: d.projectId, approvalMode: d.approvalMode });
}

/**
 * Folds a stream through the pure transition of the definition version it ran on, optionally
 * stopping at a moment (events with occurredAt ≤ until). Never reads a snapshot.
 */
export function replay(
  logic: ProcedureLogic,
  events: Iterable<ReplayEvent>,
  until?: string,
): ReplayResult | null {
  let state: PersistedProcedure | null = null;
  let version = 0;
  let applied = 0;
  const rejected: number[] = [];
  const limit = until ? Date.parse(until) : Infinity;
  for (const e of events) {
    if (Date.parse(e.metadata.occurredAt) > limit) break;
    if (state === null) {
      if (e.type !== PROJECT_REGISTERED) return null;
      state = startState(logic, e);
    } else {
      state = applyRecorded(logic, state, e, rejected);
    }
    version = e.version;
    applied += 1;
  }
  return state ? { state, version, eventsApplied: applied, rejected } : null;
}

export function applyRecorded(
  logic: ProcedureLogic,
  state: PersistedProcedure,
  e: ReplayEvent,
  rejected: number[] = [],
): PersistedProcedure {
  const command = commandOfEvent(e.type);
  const itemKey = (e.data as { itemKey?: string }).itemKey;
  if (!command || !itemKey) return state;
  const result = logic.apply(state, {
    ...(e.data as object),
    type: `${itemKey}.${command}`,
    at: e.metadata.occurredAt,
  });
  if (!result.changed) rejected.push(e.version);
  return result.state;
}

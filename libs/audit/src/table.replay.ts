import { commandOfEvent, PROJECT_REGISTERED, type ReplayEvent, type ReplayResult } from '@qianqi/domain';
import type { ApprovalMode, ProcedureEvent } from '@qianqi/workflows';
import type { Replaying, TransitionTable } from './transition.table';

export interface TableReplayOptions {
  /**
   * The events' data objects were made for this replay alone (read for one check, re-read for
   * any other use): each becomes its machine event in place, its type and time set on it,
   * instead of being copied into a new object per event.
   */
  dataIsScratch?: boolean;
}

/**
 * `replay()` of libs/domain, through a transition table: the same fold (registration starts the
 * machine, each item event is its command's machine event at its own time, other events pass),
 * for verifying many streams fast. Unit tests hold the two equal.
 */
export function replayWithTable(
  table: TransitionTable,
  events: Iterable<ReplayEvent>,
  opts: TableReplayOptions = {},
): ReplayResult | null {
  let run: Replaying | null = null;
  let version = 0;
  let applied = 0;
  const rejected: number[] = [];
  for (const e of events) {
    if (run === null) {
      if (e.type !== PROJECT_REGISTERED) return null;
      const d = e.data as { projectId: string; procedureId: string; approvalMode: ApprovalMode };
      run = table.resume(
        table.start({ procedureId: d.procedureId, projectId: d.projectId, approvalMode: d.approvalMode }),
      );
    } else {
      const command = commandOfEvent(e.type);
      const itemKey = (e.data as { itemKey?: string }).itemKey;
      if (command && itemKey) {
        const type = machineType(itemKey, command);
        const at = e.metadata.occurredAt;
        let event: ProcedureEvent;
        if (opts.dataIsScratch) {
          // (What the spread below gives: the data's own fields, then type and at over any of theirs.)
          event = e.data as ProcedureEvent;
          event.type = type;
          event.at = at;
        } else {
          event = { ...(e.data as object), type, at } as ProcedureEvent;
        }
        if (!table.advance(run, event)) rejected.push(e.version);
      }
    }
    version = e.version;
    applied += 1;
  }
  return run ? { state: table.stateOf(run), version, eventsApplied: applied, rejected } : null;
}

const machineTypes = new Map<string, Map<string, string>>();

/**
 * `${itemKey}.${command}`, the same string each time (so its hash is taken once, not per event,
 * by the table's lookups). Item keys are a definition's few; the memo stops growing past 10,000.
 */
function machineType(itemKey: string, command: string): string {
  let byCommand = machineTypes.get(itemKey);
  if (!byCommand) {
    if (machineTypes.size >= 10_000) return `${itemKey}.${command}`;
    byCommand = new Map();
    machineTypes.set(itemKey, byCommand);
  }
  let type = byCommand.get(command);
  if (type === undefined) {
    type = `${itemKey}.${command}`;
    byCommand.set(command, type);
  }
  return type;
}

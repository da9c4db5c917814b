import { commandOfEvent, PROJECT_REGISTERED, type ReplayEvent, type ReplayResult } from '@qianqi/domain';
import type { ApprovalMode } from '@qianqi/workflows';
import type { TransitionTable } from './transition.table';

/**
 * `replay()` of libs/domain, through a transition table: the same fold (registration starts the
 * machine, each item event is its command's machine event at its own time, other events pass),
 * for verifying many streams fast. Unit tests hold the two equal.
 */
export function replayWithTable(table: TransitionTable, events: Iterable<ReplayEvent>): ReplayResult | null {
  let state: ReplayResult['state'] | null = null;
  let version = 0;
  let applied = 0;
  const rejected: number[] = [];
  for (const e of events) {
    if (state === null) {
      if (e.type !== PROJECT_REGISTERED) return null;
      const d = e.data as { projectId: string; procedureId: string; approvalMode: ApprovalMode };
      state = table.start({
        procedureId: d.procedureId,
        projectId: d.projectId,
        approvalMode: d.approvalMode,
      });
    } else {
      const command = commandOfEvent(e.type);
      const itemKey = (e.data as { itemKey?: string }).itemKey;
      if (command && itemKey) {
        const next = table.step(state, {
          ...(e.data as object),
          type: machineType(itemKey, command),
          at: e.metadata.occurredAt,
        });
        if (next) state = next;
        else rejected.push(e.version);
      }
    }
    version = e.version;
    applied += 1;
  }
  return state ? { state, version, eventsApplied: applied, rejected } : null;
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

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
          type: `${itemKey}.${command}`,
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
